# witness: runs clean
# witness: prints "in the child"
# witness: prints "exitcode: 0"
# witness: start-method spawn
"""MPL405 fixed: a multiprocessing lock from the same context goes to the child.

Expected output:
    in the child
    exitcode: 0
"""

import multiprocessing as mp


def work(lock):
    with lock:
        print("in the child", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    lock = ctx.Lock()
    p = ctx.Process(target=work, args=(lock,))
    p.start()
    p.join()
    print(f"exitcode: {p.exitcode}", flush=True)
