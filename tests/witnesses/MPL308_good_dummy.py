# witness: runs clean
# witness: prints exactly "timed out"
"""MPL308 fixed: a thread pool's get(timeout) raises multiprocessing.TimeoutError.

Expected: "timed out" and exit status 0.
"""

import time
import multiprocessing
import multiprocessing.dummy as mpd


def slow(x):
    time.sleep(1)
    return x


if __name__ == "__main__":
    with mpd.Pool(2) as pool:
        res = pool.apply_async(slow, (1,))
        try:
            print(res.get(timeout=0.1))
        except multiprocessing.TimeoutError:
            print("timed out")
