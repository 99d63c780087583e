# witness: exits 0
# witness: value "worker processes alive" = "6"
# witness: stderr contains "ResourceWarning: unclosed running multiprocessing pool <multiprocessing.pool.Pool state=RUN pool_size=2>"
"""MPL307 pool-not-closed: a function creates a Pool and never closes it.

Nothing shuts the pool down but garbage collection. Here each failed batch keeps its
exception, whose traceback keeps the function's frame and so the pool alive: after
three failed batches their 6 worker processes are still running, and when the pools
are finally collected `multiprocessing/pool.py` `Pool.__del__` warns

    ResourceWarning: unclosed running multiprocessing pool <multiprocessing.pool.Pool state=RUN pool_size=2>

Expected: "worker processes alive: 6", that warning on stderr, exit status 0.
"""

import gc
import multiprocessing
import warnings

warnings.simplefilter("default", ResourceWarning)  # show what the default filters hide


def square(x):
    return x * x


def checked_total(items):
    pool = multiprocessing.Pool(2)  # BUG: never closed
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
    print(f"worker processes alive: {len(multiprocessing.active_children())}", flush=True)
    errors.clear()
    gc.collect()
