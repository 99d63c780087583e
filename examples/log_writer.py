"""A worker appends to a shared log under a lock; the parent stops it after a while."""

import time
from multiprocessing import Lock, Process


def writer(lock, path):
    while True:
        with lock:
            with open(path, "a") as log:
                log.write("tick\n")
            time.sleep(0.5)


def main():
    lock = Lock()
    worker = Process(target=writer, args=(lock, "ticks.log"))
    worker.start()
    time.sleep(2)
    worker.terminate()
    with lock:  # may block forever: the worker died holding the lock
        print("done")


if __name__ == "__main__":
    main()
