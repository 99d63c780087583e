# witness: exits 0
# witness: value "expected" = "80000"
# witness: value "lost updates" = "True"
# witness: stderr empty
"""MPL402 nonatomic-shared-update: `counter.value += 1` from several processes loses updates.

Four processes add 1 to a shared `Value` 20,000 times each. `+=` reads the value (taking
and releasing its lock) and then writes it (taking the lock again): two processes that
read the same value write the same result, and one increment is lost. No error is raised.

Expected output:
    expected: 80000
    lost updates: True       (the counter ends well below 80000)
"""

import multiprocessing as mp

PROCESSES = 4
INCREMENTS = 20_000


def work(counter):
    for _ in range(INCREMENTS):
        counter.value += 1  # BUG: a read and a write, not atomic


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
