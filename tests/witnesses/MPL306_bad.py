# witness: exits 1
# witness: stderr matches "ValueError: <multiprocessing\.pool\.ApplyResult object at 0x[0-9a-f]+> not ready"
# witness: no value "successful"
"""MPL306 asyncresult-api-misuse: `successful()` is called before the result is ready.

`multiprocessing/pool.py` `ApplyResult.successful` raises

    ValueError: <multiprocessing.pool.ApplyResult object at 0x...> not ready

when the task has not finished yet. Expected: the script dies with that traceback
(exit status 1); "successful" is never printed.
"""

import multiprocessing
import time


def work(x):
    time.sleep(0.5)
    return x * 2


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        r = pool.apply_async(work, (21,))
        print(f"successful: {r.successful()}", flush=True)  # BUG: not ready yet
        print(f"result: {r.get()}", flush=True)
