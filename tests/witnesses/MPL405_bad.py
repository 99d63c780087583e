# witness: exits 0
# witness: start-method spawn
"""MPL405 lock-not-shared: a module-level lock is re-created by every spawned child.

Under the spawn start method (the default on macOS and Windows; forkserver, the Linux
default from Python 3.14, behaves the same) each child imports this module again, so
`LOCK = mp.Lock()` runs once per child and every child locks its own lock. Each of the
three workers holds "the" lock for 0.2 s; their critical sections overlap anyway.

Expected output:
    overlapping critical sections: 3      (pairs of workers inside at the same time)
"""

import multiprocessing as mp
import time

LOCK = mp.Lock()


def work(spans, ready):
    ready.wait(10)  # all three reach the lock together
    with LOCK:  # BUG: a different lock in every spawned child
        start = time.monotonic()
        time.sleep(0.2)
        spans.put((start, time.monotonic()))


def overlaps(spans):
    return sum(
        1
        for i, (s1, e1) in enumerate(spans)
        for s2, e2 in spans[i + 1 :]
        if s1 < e2 and s2 < e1
    )


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    spans = ctx.Queue()
    ready = ctx.Barrier(3)
    procs = [ctx.Process(target=work, args=(spans, ready)) for _ in range(3)]
    for p in procs:
        p.start()
    found = [spans.get(timeout=20) for _ in procs]
    for p in procs:
        p.join()
    print(f"overlapping critical sections: {overlaps(found)}", flush=True)
