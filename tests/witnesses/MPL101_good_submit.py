# witness: runs clean
# witness: prints "result: 4"
"""MPL101 fixed: Executor.submit gets the function and its arguments separately.

`executor.submit(work, 2)` runs work(2) in a worker process.

Expected output: "parent pid: P", "work ran in pid: C" with C != P, "result: 4";
exit status 0 and nothing on stderr.
"""

import os
from concurrent.futures import ProcessPoolExecutor


def work(n):
    print(f"work ran in pid: {os.getpid()}", flush=True)
    return n * n


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    with ProcessPoolExecutor(max_workers=2) as executor:
        future = executor.submit(work, 2)
        print(f"result: {future.result(timeout=10)}", flush=True)
