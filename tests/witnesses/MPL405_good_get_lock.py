# witness: runs clean
# witness: prints "count: 4000"
# witness: start-method spawn
"""MPL405 near miss: `get_lock()` returns the lock a synchronized Value was made with.

The lock is created once, with the Value, in the parent; it travels with the Value to every spawned
child, so the four workers' increments never interleave and none is lost.

Expected output:
    count: 4000
"""

import multiprocessing as mp


def work(counter):
    for _ in range(1000):
        with counter.get_lock():
            counter.value += 1


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    counter = ctx.Value("i", 0)
    procs = [ctx.Process(target=work, args=(counter,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(f"count: {counter.value}", flush=True)
