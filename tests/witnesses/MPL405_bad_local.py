# witness: exits 0
"""MPL405 lock-not-shared: a lock created inside the worker protects nothing.

Each call of `work` makes a new lock and takes it: no other process ever waits for it.
The critical sections of the three workers overlap, under every start method.

Expected output:
    overlapping critical sections: 3
"""

import multiprocessing as mp
import time


def work(spans, ready):
    ready.wait(10)  # all three reach the lock together
    lock = mp.Lock()  # BUG: a new lock per call
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
    spans = mp.Queue()
    ready = mp.Barrier(3)
    procs = [mp.Process(target=work, args=(spans, ready)) for _ in range(3)]
    for p in procs:
        p.start()
    found = [spans.get(timeout=20) for _ in procs]
    for p in procs:
        p.join()
    print(f"overlapping critical sections: {overlaps(found)}", flush=True)
