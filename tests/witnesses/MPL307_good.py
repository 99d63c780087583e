# witness: runs clean
# witness: prints "worker processes alive: 0"
# witness: within 3 seconds
"""MPL307 fixed: the pool is a context manager, shut down when the function returns
or raises.

Expected output: "worker processes alive: 0"; exit status 0 and no warning.
"""

import gc
import multiprocessing
import warnings

warnings.simplefilter("default", ResourceWarning)  # show what the default filters hide


def square(x):
    return x * x


def checked_total(items):
    with multiprocessing.Pool(2) as pool:
        total = sum(pool.map(square, items))
    if total > 100:
        raise ValueError(f"total {total} too large")
    return total


if __name__ == "__main__":
    errors = []
    for batch in ([6, 9], [7, 8], [9, 10]):
        try:
            checked_total(batch)
        except ValueError as error:
            errors.append(error)
    multiprocessing.active_children()  # reap the workers that have just exited
    print(f"worker processes alive: {len(multiprocessing.active_children())}", flush=True)
    errors.clear()
    gc.collect()
