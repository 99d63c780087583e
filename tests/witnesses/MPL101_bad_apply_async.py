# witness: dies "TypeError: 'NoneType' object is not callable"
# witness: no value "result"
"""MPL101 bad-process-target: a called function is handed to Pool.apply_async.

`pool.apply_async(work(3))` runs work(3) in the PARENT; it returns None, so the
worker is asked to call None and `.get()` re-raises the worker's error:

    TypeError: 'NoneType' object is not callable

Expected: the script dies with that traceback on stderr (exit status 1).
"""

import multiprocessing
import os


def work(n):
    print(f"work ran in pid: {os.getpid()} with n={n}", flush=True)


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    with multiprocessing.Pool(2) as pool:
        result = pool.apply_async(work(3))  # BUG: should be apply_async(work, (3,))
        print(f"result: {result.get(timeout=10)}", flush=True)
