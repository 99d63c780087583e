# witness: runs clean
# witness: prints "work ran"
# witness: prints "child exitcode: 0"
"""MPL203 unpicklable-callable, fixed: a module-level function as the Process target.

Expected: "work ran", "child exitcode: 0".
"""

import multiprocessing as mp


def work():
    print("work ran", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    child = ctx.Process(target=work)
    child.start()
    child.join()
    print(f"child exitcode: {child.exitcode}", flush=True)
