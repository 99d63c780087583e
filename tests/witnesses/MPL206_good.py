# witness: runs clean
# witness: prints "work ran"
# witness: prints "child exitcode: 0"
"""MPL206 mixed-context-objects, fixed: the Lock comes from the Process's own context.

Expected: "work ran", "child exitcode: 0".
"""

import multiprocessing as mp


def work(lock):
    with lock:
        print("work ran", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    lock = ctx.Lock()
    child = ctx.Process(target=work, args=(lock,))
    child.start()
    child.join()
    print(f"child exitcode: {child.exitcode}", flush=True)
