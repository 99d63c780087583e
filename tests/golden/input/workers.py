"""Fetch pages, each in its own process, with a heartbeat that should not block exit."""

import time
from multiprocessing import Lock, Process

lock = Lock()


def fetch(url: str) -> int:
    with lock:
        return len(url)


def heartbeat() -> None:
    while True:
        time.sleep(5)


def main(urls: list[str]) -> None:
    workers = [Process(name="名前	café", target=fetch(url)) for url in urls]
    for worker in workers:
        worker.start()
    slow = Process(
        target=fetch(
            urls[0],
        ),
    )
    slow.start()
    beat = Process(target=heartbeat)
    beat.start()
    beat.daemon = True
    writer = Process(target=fetch, args=("https://example.com",))
    writer.start()
    writer.terminate()
