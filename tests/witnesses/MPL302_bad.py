# witness: dies "ValueError: Pool is still running"
# witness: value "result" = "[0, 1, 4, 9]"
"""MPL302 pool-lifecycle-order: `Pool.join()` is called without `close()` first.

A Pool can only be joined once it has been closed or terminated; otherwise
multiprocessing/pool.py Pool.join fails with

    ValueError: Pool is still running

Expected: "result: [0, 1, 4, 9]" is printed, then the script dies with that
traceback on stderr (exit status 1).
"""

import multiprocessing


def square(x):
    return x * x


if __name__ == "__main__":
    pool = multiprocessing.Pool(2)
    print(f"result: {pool.map(square, range(4))}", flush=True)
    pool.join()  # BUG: pool.close() must come first
