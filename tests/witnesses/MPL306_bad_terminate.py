# witness: dies "AttributeError: 'ApplyResult' object has no attribute 'terminate'"
# witness: never prints "stopped"
"""MPL306 asyncresult-api-misuse: `terminate()` is called on an `AsyncResult`.

An `AsyncResult` only has `get`, `wait`, `ready` and `successful`; `terminate()` is a
`Pool` method. Expected: the script dies with

    AttributeError: 'ApplyResult' object has no attribute 'terminate'

(exit status 1); "stopped" is never printed.
"""

import multiprocessing
import time


def work(x):
    time.sleep(0.5)
    return x * 2


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        r = pool.apply_async(work, (21,))
        r.terminate()  # BUG: AsyncResult has no terminate()
        print("stopped", flush=True)
