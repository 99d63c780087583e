# witness: runs clean
# witness: prints "result: 9"
"""MPL101 fixed: Pool.apply_async gets the function and its arguments separately.

`pool.apply_async(work, (3,))` runs work(3) in a pool worker.

Expected output: "parent pid: P", "work ran in pid: C" with C != P, "result: 9";
exit status 0 and nothing on stderr.
"""

import multiprocessing
import os


def work(n):
    print(f"work ran in pid: {os.getpid()}", flush=True)
    return n * n


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    with multiprocessing.Pool(2) as pool:
        result = pool.apply_async(work, (3,))
        print(f"result: {result.get(timeout=10)}", flush=True)
