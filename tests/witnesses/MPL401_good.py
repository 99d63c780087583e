# witness: exits 0
# witness: prints "first worker exitcode: 1"
# witness: prints "saved 2"
# witness: prints "second worker exitcode: 0"
# witness: stderr has "ValueError: bad record -1"
"""MPL401 fixed: `with lock:` releases the lock when the critical section raises.

The first worker still dies of its ValueError, but the `with` block gave the lock back,
so the second worker takes it at once and saves its record.

Expected output:
    first worker exitcode: 1
    saved 2
    second worker exitcode: 0
"""

import multiprocessing as mp


def save(lock, record):
    with lock:
        if record < 0:
            raise ValueError(f"bad record {record}")
        print(f"saved {record}", flush=True)


if __name__ == "__main__":
    lock = mp.Lock()
    first = mp.Process(target=save, args=(lock, -1))
    first.start()
    first.join()
    print(f"first worker exitcode: {first.exitcode}", flush=True)
    second = mp.Process(target=save, args=(lock, 2))
    second.start()
    second.join(timeout=10)
    print(f"second worker exitcode: {second.exitcode}", flush=True)
