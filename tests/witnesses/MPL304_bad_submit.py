# witness: exits 0
# witness: value "results" = "[0, 1, 4, 9]"
"""MPL304 blocking-apply-in-loop: `executor.submit(...).result()` inside a loop.

Each `result()` waits for the task just submitted, so the executor's 4 workers run the
4 tasks of 0.4 s one at a time. Expected: "results: [0, 1, 4, 9]" and "elapsed" of at
least 1.6 seconds; exit status 0.
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
        results = []
        for x in range(4):
            results.append(executor.submit(slow_square, x).result())  # BUG: serial
        elapsed = time.monotonic() - start
    print(f"results: {results}", flush=True)
    print(f"elapsed: {elapsed:.2f}", flush=True)
