# witness: runs clean
# witness: prints "expected: 1200"
# witness: prints "count: 1200"
# witness: prints "lost updates: False"
"""MPL402 fixed: a Manager lock, passed to every worker, is held around the update.

Expected output:
    expected: 1200
    count: 1200
    lost updates: False
"""

import multiprocessing as mp

PROCESSES = 4
INCREMENTS = 300


def work(stats, lock):
    for _ in range(INCREMENTS):
        with lock:
            stats["count"] += 1


if __name__ == "__main__":
    with mp.Manager() as manager:
        stats = manager.dict(count=0)
        lock = manager.Lock()
        procs = [mp.Process(target=work, args=(stats, lock)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        total = stats["count"]
    print(f"expected: {PROCESSES * INCREMENTS}", flush=True)
    print(f"count: {total}", flush=True)
    print(f"lost updates: {total < PROCESSES * INCREMENTS}", flush=True)
