# witness: runs clean
# witness: prints "work ran"
# witness: prints "child exitcode: 0"
"""MPL202 start-method-misconfigured, fixed: set_start_method() under the main guard.

Expected: "work ran", "child exitcode: 0".
"""

import multiprocessing as mp


def work():
    print("work ran", flush=True)


if __name__ == "__main__":
    mp.set_start_method("spawn")
    child = mp.Process(target=work)
    child.start()
    child.join()
    print(f"child exitcode: {child.exitcode}", flush=True)
