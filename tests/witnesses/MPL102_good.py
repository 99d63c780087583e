# witness: runs clean
# witness: prints "hello: egon"
# witness: prints "child exitcode: 0"
"""MPL102 fixed: `args=("egon",)` is a 1-tuple.

Expected output: "hello: egon" (from the child) and "child exitcode: 0".
"""

import multiprocessing


def greet(name):
    print(f"hello: {name}", flush=True)


if __name__ == "__main__":
    p = multiprocessing.Process(target=greet, args=("egon",))
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
