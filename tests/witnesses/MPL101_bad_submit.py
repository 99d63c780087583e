# witness: dies "TypeError: 'NoneType' object is not callable"
# witness: no value "result"
"""MPL101 bad-process-target: a called function is handed to Executor.submit.

`executor.submit(work(2))` runs work(2) in the PARENT; it returns None, so the
worker process is asked to call None and `.result()` re-raises the error:

    TypeError: 'NoneType' object is not callable

Expected: the script dies with that traceback on stderr (exit status 1).
"""

import os
from concurrent.futures import ProcessPoolExecutor


def work(n):
    print(f"work ran in pid: {os.getpid()} with n={n}", flush=True)


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    with ProcessPoolExecutor(max_workers=2) as executor:
        future = executor.submit(work(2))  # BUG: should be submit(work, 2)
        print(f"result: {future.result(timeout=10)}", flush=True)
