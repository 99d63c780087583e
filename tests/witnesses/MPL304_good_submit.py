# witness: runs clean
# witness: prints "results: [0, 1, 4, 9]"
# witness: within 4 seconds
"""MPL304 fixed: every task is submitted first, then the results are collected.

Expected output: "results: [0, 1, 4, 9]" and "elapsed" well under 1.6 seconds; exit
status 0.
"""

import time
from concurrent.futures import ProcessPoolExecutor


def slow_square(x):
    time.sleep(0.4)
    return x * x


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=4) as executor:
        list(executor.map(abs, range(8)))  # the workers are up before the clock starts
        start = time.monotonic()
        futures = [executor.submit(slow_square, x) for x in range(4)]
        results = [future.result() for future in futures]
        elapsed = time.monotonic() - start
    print(f"results: {results}", flush=True)
    print(f"elapsed: {elapsed:.2f}", flush=True)
