# witness: exits 0
# witness: value "child exitcode" = "1"
# witness: stderr contains "TypeError: 'int' object is not callable"
# witness: stderr matches ".*in run"
"""MPL101 bad-process-target: the target is *called* instead of passed.

`Process(target=work(21))` runs work(21) right away in the PARENT and hands its
return value (the int 42) to the child as the "target". The child then fails in
multiprocessing/process.py BaseProcess.run with

    TypeError: 'int' object is not callable

printed on the child's stderr. The child's exitcode is 1, while the parent is not
told anything and itself exits with status 0.

Expected output: "work ran in pid" shows the PARENT's pid, "child exitcode: 1",
and the TypeError traceback on stderr.
"""

import multiprocessing
import os


def work(n):
    print(f"work ran in pid: {os.getpid()}", flush=True)
    return n * 2


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    p = multiprocessing.Process(target=work(21))  # BUG: should be target=work, args=(21,)
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
