# witness: exits 0
# witness: value "first worker exitcode" = "1"
# witness: stderr has "ValueError: bad record -1"
# witness: value "second worker finished within 2 s" = "False"
# witness: never prints "saved 2"
"""MPL401 lock-not-exception-safe: an exception between acquire() and release() keeps the lock.

The first worker takes the lock with `lock.acquire()` and raises before it reaches
`lock.release()`: the process dies (exit code 1, a ValueError traceback on stderr) and
the lock stays taken. The second worker then blocks in `acquire()` for good; the parent
gives it 2 seconds and then terminates it.

Expected output:
    first worker exitcode: 1
    second worker finished within 2 s: False
"""

import multiprocessing as mp


def save(lock, record):
    lock.acquire()  # BUG: not released when the next line raises
    if record < 0:
        raise ValueError(f"bad record {record}")
    print(f"saved {record}", flush=True)
    lock.release()


if __name__ == "__main__":
    lock = mp.Lock()
    first = mp.Process(target=save, args=(lock, -1))
    first.start()
    first.join()
    print(f"first worker exitcode: {first.exitcode}", flush=True)
    second = mp.Process(target=save, args=(lock, 2))
    second.start()
    second.join(timeout=2)
    print(f"second worker finished within 2 s: {not second.is_alive()}", flush=True)
    second.terminate()
    second.join()
