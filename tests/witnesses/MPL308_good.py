# witness: runs clean
# witness: prints "gave up waiting"
# witness: prints "value: None"
# witness: within 3 seconds
"""MPL308 fixed: the handler names both classes.

Expected output: "gave up waiting" and "value: None"; exit status 0.
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
        except (TimeoutError, multiprocessing.TimeoutError):
            value = None
            print("gave up waiting", flush=True)
        print(f"value: {value}", flush=True)
