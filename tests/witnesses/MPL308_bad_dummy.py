# witness: dies "AttributeError: module 'multiprocessing.dummy' has no attribute 'TimeoutError'"
# witness: prints nothing
"""MPL308 wrong-timeout-exception: a thread pool's timeout handled as multiprocessing.dummy.TimeoutError.

multiprocessing.dummy re-exports Pool but none of the exception classes. When get(timeout)
times out, evaluating the except clause raises AttributeError.

Expected: exit status 1 with the AttributeError; "timed out" is never printed.
"""

import time
import multiprocessing.dummy as mpd


def slow(x):
    time.sleep(1)
    return x


if __name__ == "__main__":
    with mpd.Pool(2) as pool:
        res = pool.apply_async(slow, (1,))
        try:
            print(res.get(timeout=0.1))
        except mpd.TimeoutError:  # BUG: no such attribute
            print("timed out")
