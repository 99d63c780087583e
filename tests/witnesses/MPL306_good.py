# witness: runs clean
# witness: prints "successful: True"
# witness: prints "result: 42"
# witness: within 3 seconds
"""MPL306 fixed: `wait()` before `successful()`, and `terminate()` on the pool.

Expected output: "successful: True" and "result: 42"; exit status 0.
"""

import multiprocessing
import time


def work(x):
    time.sleep(0.5)
    return x * 2


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        r = pool.apply_async(work, (21,))
        r.wait()
        print(f"successful: {r.successful()}", flush=True)
        print(f"result: {r.get()}", flush=True)
        pool.terminate()
