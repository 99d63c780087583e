# witness: runs clean
# witness: prints "results: [0, 1, 4, 9]"
# witness: within 4 seconds
"""MPL304 fixed: `pool.map` submits every task before waiting.

Expected output: "results: [0, 1, 4, 9]" and "elapsed" well under 1.6 seconds (the 4
tasks of 0.4 s run side by side); exit status 0.
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
        results.extend(pool.map(slow_square, range(4)))
        elapsed = time.monotonic() - start
    print(f"results: {results}", flush=True)
    print(f"elapsed: {elapsed:.2f}", flush=True)
