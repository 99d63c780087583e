# witness: runs clean
# witness: prints "callback: 2"
# witness: prints "result: 10"
# witness: within 3 seconds
"""MPL305 fixed: the callback only records the value; the main thread does the waiting.

Expected output: "callback: 2" and "result: 10"; exit status 0.
"""

import multiprocessing
import time


def step1(x):
    return x + 1


def step2(x):
    time.sleep(0.2)
    return x * 10


def on_done(value):
    print(f"callback: {value}", flush=True)


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        slow = pool.apply_async(step2, (1,))
        first = pool.apply_async(step1, (1,), callback=on_done)
        first.wait()
        print(f"result: {slow.get()}", flush=True)
