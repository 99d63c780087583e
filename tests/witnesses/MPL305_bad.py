# witness: hangs
# witness: prints exactly "callback started"
"""MPL305 blocking-callback: a `callback=` waits on another `AsyncResult`.

Callbacks run in the pool's single result-handler thread
(`multiprocessing/pool.py` `ApplyResult._set`). `on_done` blocks there on
`slow.get()`, but `slow`'s result can only be delivered by that same thread: neither
the callback nor the main thread's `slow.get()` ever returns. The program HANGS (it
has to be killed) after printing "callback started"; "result" is never printed.
"""

import multiprocessing
import time


def step1(x):
    return x + 1


def step2(x):
    time.sleep(0.2)
    return x * 10


slow = None


def on_done(value):
    print("callback started", flush=True)
    print(f"callback: {value} {slow.get()}", flush=True)  # BUG: blocks the result handler


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        slow = pool.apply_async(step2, (1,))
        first = pool.apply_async(step1, (1,), callback=on_done)
        print(f"result: {slow.get()}", flush=True)
        first.wait()
