# witness: dies "AssertionError: can only join a started process"
"""MPL104 process-lifecycle-order: `run()` instead of `start()`.

`p.run()` calls the target here, in the parent, synchronously; no child is started, so
the `join()` that follows fails in multiprocessing/process.py, BaseProcess.join:

    AssertionError: can only join a started process

Expected: "work ran in pid: <the parent's pid>" on stdout, then that traceback (exit
status 1).
"""

import multiprocessing
import os


def work():
    print(f"work ran in pid: {os.getpid()}", flush=True)


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    p = multiprocessing.Process(target=work)
    p.run()  # BUG: runs work() here; starts nothing
    p.join()
    print("joined", flush=True)
