# witness: exits 0
# witness: value "expected" = "1200"
# witness: value "lost updates" = "True"
# witness: stderr empty
"""MPL402 nonatomic-shared-update: `stats["count"] += 1` on a Manager dict loses updates.

The proxy sends `__getitem__` and then `__setitem__` to the manager as two calls; four
processes interleave them and increments are lost. No error is raised.

Expected output:
    expected: 1200
    lost updates: True
"""

import multiprocessing as mp

PROCESSES = 4
INCREMENTS = 300


def work(stats):
    for _ in range(INCREMENTS):
        stats["count"] += 1  # BUG: two separate calls to the manager


if __name__ == "__main__":
    with mp.Manager() as manager:
        stats = manager.dict(count=0)
        procs = [mp.Process(target=work, args=(stats,)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        total = stats["count"]
    print(f"expected: {PROCESSES * INCREMENTS}", flush=True)
    print(f"count: {total}", flush=True)
    print(f"lost updates: {total < PROCESSES * INCREMENTS}", flush=True)
