# witness: exits 0
# witness: value "expected" = "600"
# witness: value "lost updates" = "True"
# witness: stderr empty
# witness: reported 2 times
"""MPL402 nonatomic-shared-update: a thread of the parent and a child update one Manager dict.

A progress thread of the parent (a `Thread` subclass that keeps the proxy in `self.stats`) does
`self.stats["count"] += 1` 300 times while a child process does `stats["count"] += 1` 300 times.
Each `+=` is a `__getitem__` and then a `__setitem__`, two calls to the manager: the thread and the
child overwrite each other's increments (cpython#137233). A barrier lets both loops start together;
the experiment runs up to five rounds and stops at the first that loses an update. No error is raised.

Expected output:
    expected: 600
    total: 3xx                 (below 600)
    lost updates: True
"""

import multiprocessing as mp
import threading

INCREMENTS = 300
ROUNDS = 5


class Progress(threading.Thread):
    def __init__(self, stats, barrier):
        super().__init__()
        self.stats = stats
        self.barrier = barrier

    def run(self):
        self.barrier.wait()
        for _ in range(INCREMENTS):
            self.stats["count"] += 1  # BUG: the child updates the same key meanwhile


def work(stats, barrier):
    barrier.wait()
    for _ in range(INCREMENTS):
        stats["count"] += 1  # BUG: the parent's thread updates the same key meanwhile


def one_round(manager):
    stats = manager.dict(count=0)
    barrier = mp.Barrier(2)
    child = mp.Process(target=work, args=(stats, barrier))
    child.start()
    progress = Progress(stats, barrier)
    progress.start()
    progress.join()
    child.join()
    return stats["count"]


if __name__ == "__main__":
    expected = 2 * INCREMENTS
    print(f"expected: {expected}", flush=True)
    lost = False
    with mp.Manager() as manager:
        for _ in range(ROUNDS):
            total = one_round(manager)
            print(f"total: {total}", flush=True)
            if total < expected:
                lost = True
                break
    print(f"lost updates: {lost}", flush=True)
