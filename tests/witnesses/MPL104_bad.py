# witness: dies "AssertionError: can only join a started process"
# witness: prints nothing
"""MPL104 process-lifecycle-order: `join()` on a process that was never started.

`join()` fails in the parent, in multiprocessing/process.py, BaseProcess.join:

    AssertionError: can only join a started process

Expected: the script dies with that traceback (exit status 1); "joined" is never printed.
"""

import multiprocessing


def work():
    print("work ran", flush=True)


if __name__ == "__main__":
    p = multiprocessing.Process(target=work)
    p.join()  # BUG: never started
    print("joined", flush=True)
