# witness: dies "multiprocessing.context.TimeoutError"
# witness: never prints "gave up waiting"
"""MPL308 wrong-timeout-exception: `except TimeoutError` around `AsyncResult.get(timeout)`.

`multiprocessing/pool.py` `ApplyResult.get` raises `multiprocessing.TimeoutError`
(`multiprocessing/context.py`: `class TimeoutError(ProcessError)`), a different class
from the builtin `TimeoutError` that merely shares its name. The handler does not
match and the script dies with

    multiprocessing.context.TimeoutError

(exit status 1); "gave up waiting" is never printed.
"""

import multiprocessing
import time


def slow(x):
    time.sleep(2)
    return x


if __name__ == "__main__":
    with multiprocessing.Pool(1) as pool:
        res = pool.apply_async(slow, (1,))
        try:
            value = res.get(timeout=0.2)
        except TimeoutError:  # BUG: the builtin class, not multiprocessing.TimeoutError
            value = None
            print("gave up waiting", flush=True)
        print(f"value: {value}", flush=True)
