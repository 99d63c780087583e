"""Fetch a list of URLs with one process each, and a heartbeat process that should not block exit."""

import time
import urllib.request
from multiprocessing import Process


def download(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return len(response.read())


def heartbeat():
    while True:
        print("alive")
        time.sleep(5)


def main(urls):
    workers = [Process(target=download(url)) for url in urls]
    for worker in workers:
        worker.start()
    beat = Process(target=heartbeat)
    beat.start()
    beat.daemon = True
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main(["https://example.com", "https://example.org"])
