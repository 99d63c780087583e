# witness: dies "multiprocessing.context.TimeoutError"
# witness: prints exactly "submitted"
"""MPL301 pool-results-after-with: an async result is read after the `with Pool()` block.

`multiprocessing/pool.py` `Pool.__exit__` calls `terminate()`, not `close()`: the
pending tasks are discarded and their results never arrive. `res.get(timeout=3)`
after the block fails with

    multiprocessing.context.TimeoutError

Expected: "submitted" is printed, then the script dies with that traceback on stderr
(exit status 1); "result" is never printed.
"""

import multiprocessing
import time


def slow_square(x):
    time.sleep(0.5)
    return x * x


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        res = pool.map_async(slow_square, range(4))
        print("submitted", flush=True)
    print(f"result: {res.get(timeout=3)}", flush=True)  # BUG: the pool was terminated
