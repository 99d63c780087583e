# witness: runs clean
# witness: prints "overlapping critical sections: 0"
# witness: start-method spawn
"""MPL405 fixed: the parent creates the lock once and passes it to every child.

Expected output:
    overlapping critical sections: 0
"""

import multiprocessing as mp
import time


def work(lock, spans, ready):
    ready.wait(10)  # all three reach the lock together
    with lock:
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
    lock = ctx.Lock()
    spans = ctx.Queue()
    ready = ctx.Barrier(3)
    procs = [ctx.Process(target=work, args=(lock, spans, ready)) for _ in range(3)]
    for p in procs:
        p.start()
    found = [spans.get(timeout=20) for _ in procs]
    for p in procs:
        p.join()
    print(f"overlapping critical sections: {overlaps(found)}", flush=True)
