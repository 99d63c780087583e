# witness: exits 0
# witness: value "acquired" = "False"
# witness: value "waited less than 0.1 s" = "True"
"""MPL401 lock-not-exception-safe: multiprocessing treats a negative timeout as 0.

`threading.Lock.acquire(timeout=-1)` waits forever; a multiprocessing lock's
`acquire(timeout=-1)` does not wait at all. A child holds the lock for half a second;
the parent's `acquire(timeout=-1)` returns False at once, and the parent skips its work.

Expected output:
    acquired: False
    waited less than 0.1 s: True
"""

import multiprocessing as mp
import time


def hold(lock, entered):
    with lock:
        entered.set()
        time.sleep(0.5)


if __name__ == "__main__":
    lock = mp.Lock()
    entered = mp.Event()
    child = mp.Process(target=hold, args=(lock, entered))
    child.start()
    entered.wait(10)
    start = time.monotonic()
    if lock.acquire(timeout=-1):  # BUG: meant "wait as long as it takes"
        lock.release()
        print("acquired: True", flush=True)
    else:
        print("acquired: False", flush=True)
    print(f"waited less than 0.1 s: {time.monotonic() - start < 0.1}", flush=True)
    child.join()
