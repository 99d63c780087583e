# witness: exits 0
# witness: value "lock free while the child holds it" = "True"
"""MPL401 lock-not-exception-safe: the result of acquire(timeout=...) is ignored.

A child holds the lock for a while. The parent calls `lock.acquire(timeout=0.2)`, which
gives up and returns False; the parent ignores that and calls `lock.release()` anyway: the
release succeeds and frees the lock the child still holds. A third party can now take the lock
while the child is inside its critical section: mutual exclusion is gone, silently.

Expected output:
    lock free while the child holds it: True
"""

import multiprocessing as mp


def hold(lock, entered, leave):
    with lock:
        entered.set()
        leave.wait(10)


if __name__ == "__main__":
    lock = mp.Lock()
    entered, leave = mp.Event(), mp.Event()
    child = mp.Process(target=hold, args=(lock, entered, leave))
    child.start()
    entered.wait(10)
    lock.acquire(timeout=0.2)  # BUG: returns False here, and nobody looks
    lock.release()
    free = lock.acquire(block=False)
    print(f"lock free while the child holds it: {free}", flush=True)
    leave.set()
    child.join()
