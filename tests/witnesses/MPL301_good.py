# witness: runs clean
# witness: prints "submitted"
# witness: prints "result: [0, 1, 4, 9]"
# witness: within 3 seconds
"""MPL301 fixed: the async result is read inside the `with Pool()` block.

Expected output: "submitted" and "result: [0, 1, 4, 9]"; exit status 0.
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
        print(f"result: {res.get(timeout=3)}", flush=True)
