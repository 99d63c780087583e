"""Count lines in a child process, guarded by a lock that only works between threads."""

import threading
from multiprocessing import Process

guard = threading.Lock()


def count(path: str, lock: threading.Lock) -> None:
    with lock:
        print(path)


def main(path: str) -> None:
    child = Process(target=count, args=(path, guard))
    child.start()
    child.join()
