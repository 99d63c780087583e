# witness: runs clean
# witness: prints "parent acquired: False"
# witness: prints "lock free while the child holds it: False"
# witness: prints "child exitcode: 0"
"""MPL401 fixed: the result of acquire(timeout=...) decides whether to release.

The parent only releases the lock when `acquire(timeout=0.2)` returned True; the child's
lock stays taken until the child leaves its critical section.

Expected output:
    parent acquired: False
    lock free while the child holds it: False
    child exitcode: 0
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
    acquired = lock.acquire(timeout=0.2)
    print(f"parent acquired: {acquired}", flush=True)
    if acquired:
        lock.release()
    free = lock.acquire(block=False)
    print(f"lock free while the child holds it: {free}", flush=True)
    leave.set()
    child.join()
    print(f"child exitcode: {child.exitcode}", flush=True)
