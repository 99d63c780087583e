# witness: dies "ValueError: Pool not running"
# witness: value "first" = "4"
# witness: no value "second"
"""MPL302 pool-lifecycle-order: work is submitted to a Pool after `close()`.

Once closed, a Pool accepts no more tasks: multiprocessing/pool.py fails with

    ValueError: Pool not running

Expected: "first: 4" is printed, then the script dies with that traceback on
stderr (exit status 1).
"""

import multiprocessing


def square(x):
    return x * x


if __name__ == "__main__":
    pool = multiprocessing.Pool(2)
    print(f"first: {pool.apply_async(square, (2,)).get(timeout=10)}", flush=True)
    pool.close()
    second = pool.apply_async(square, (3,))  # BUG: the pool is already closed
    print(f"second: {second.get(timeout=10)}", flush=True)
    pool.join()
