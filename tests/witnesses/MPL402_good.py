# witness: runs clean
# witness: prints "expected: 80000"
# witness: prints "counter: 80000"
# witness: prints "lost updates: False"
"""MPL402 fixed: the update runs under the Value's own lock (`with counter.get_lock():`).

The default lock of a `Value` is an RLock, so the property's own acquire inside the block
does not block. All 80,000 increments arrive.

Expected output:
    expected: 80000
    counter: 80000
    lost updates: False
"""

import multiprocessing as mp

PROCESSES = 4
INCREMENTS = 20_000


def work(counter):
    for _ in range(INCREMENTS):
        with counter.get_lock():
            counter.value += 1


if __name__ == "__main__":
    counter = mp.Value("i", 0)
    procs = [mp.Process(target=work, args=(counter,)) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(f"expected: {PROCESSES * INCREMENTS}", flush=True)
    print(f"counter: {counter.value}", flush=True)
    print(f"lost updates: {counter.value < PROCESSES * INCREMENTS}", flush=True)
