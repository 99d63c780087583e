# witness: runs clean
# witness: prints "child got the lock"
# witness: prints "child exitcode: 0"
# witness: start-method spawn
"""MPL407 fixed: the lock is bound to a local variable that outlives the child's start.

Expected output:
    child got the lock
    child exitcode: 0
"""

import multiprocessing as mp


def work(lock):
    with lock:
        print("child got the lock", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    lock = ctx.Lock()
    p = ctx.Process(target=work, args=(lock,))
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
