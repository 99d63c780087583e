# witness: exits 0
# witness: value "results" = "[0, 1, 4, 9]"
"""MPL304 blocking-apply-in-loop: `pool.apply()` inside a loop.

`multiprocessing/pool.py` `Pool.apply` is `apply_async(...).get()`: it waits for each
task before the loop submits the next, so a pool of 4 workers runs the 4 tasks of
0.4 s one at a time. Expected: "results: [0, 1, 4, 9]" and "elapsed" of at least
1.6 seconds (4 x 0.4 s); exit status 0.
"""

import multiprocessing
import time


def slow_square(x):
    time.sleep(0.4)
    return x * x


if __name__ == "__main__":
    with multiprocessing.Pool(4) as pool:
        pool.map(abs, range(4))  # the workers are up before the clock starts
        start = time.monotonic()
        results = []
        for x in range(4):
            results.append(pool.apply(slow_square, (x,)))  # BUG: one task at a time
        elapsed = time.monotonic() - start
    print(f"results: {results}", flush=True)
    print(f"elapsed: {elapsed:.2f}", flush=True)
