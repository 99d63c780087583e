# witness: runs clean
# witness: prints "counter: 4"
"""MPL404 fixed: a shared Value, incremented under its lock, carries the count.

Expected output:
    counter: 4
"""

import multiprocessing as mp


def work(counter):
    with counter.get_lock():
        counter.value += 1


if __name__ == "__main__":
    counter = mp.Value("i", 0)
    procs = [mp.Process(target=work, args=(counter,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(f"counter: {counter.value}", flush=True)
