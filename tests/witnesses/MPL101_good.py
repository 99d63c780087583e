# witness: runs clean
# witness: prints "result: 42"
# witness: prints "child exitcode: 0"
"""MPL101 fixed: the target is passed (not called) as a keyword argument.

`Process(target=work, args=(21,))` runs work(21) in the CHILD.

Expected output: "parent pid: P", then "work ran in pid: C" with C != P,
"result: 42", then "child exitcode: 0"; nothing on stderr.
"""

import multiprocessing
import os


def work(n):
    print(f"work ran in pid: {os.getpid()}", flush=True)
    print(f"result: {n * 2}", flush=True)
    return n * 2


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    p = multiprocessing.Process(target=work, args=(21,))
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
