# witness: runs clean
# witness: prints "acquired: True"
# witness: prints "waited for the child: True"
"""MPL401 fixed: a blocking acquire (a `with` block) waits until the child releases the lock.

Expected output:
    acquired: True
    waited for the child: True
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
    with lock:
        print("acquired: True", flush=True)
    print(f"waited for the child: {time.monotonic() - start > 0.2}", flush=True)
    child.join()
