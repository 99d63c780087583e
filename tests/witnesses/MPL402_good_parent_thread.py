# witness: runs clean
# witness: value "expected" = "600"
# witness: values "total" = "600" "600" "600" "600" "600"
# witness: value "lost updates" = "False"
"""MPL402 fixed: the parent's thread and the child hold one Manager lock around `+=`.

The same program as MPL402_bad_parent_thread.py, with a `Manager().Lock()` passed to the child and
to the thread and held around both updates. All five rounds keep every increment.

Expected output:
    expected: 600
    total: 600                (five times)
    lost updates: False
"""

import multiprocessing as mp
import threading

INCREMENTS = 300
ROUNDS = 5


class Progress(threading.Thread):
    def __init__(self, stats, lock, barrier):
        super().__init__()
        self.stats = stats
        self.lock = lock
        self.barrier = barrier

    def run(self):
        self.barrier.wait()
        for _ in range(INCREMENTS):
            with self.lock:
                self.stats["count"] += 1


def work(stats, lock, barrier):
    barrier.wait()
    for _ in range(INCREMENTS):
        with lock:
            stats["count"] += 1


def one_round(manager):
    stats = manager.dict(count=0)
    lock = manager.Lock()
    barrier = mp.Barrier(2)
    child = mp.Process(target=work, args=(stats, lock, barrier))
    child.start()
    progress = Progress(stats, lock, barrier)
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
            lost = lost or total < expected
    print(f"lost updates: {lost}", flush=True)
