# witness: dies "multiprocessing.context.TimeoutError"
# witness: prints exactly "submitted"
"""MPL301 pool-results-after-with: an async result kept in an attribute and read by another
method after the `with Pool()` block.

`build()` keeps the `AsyncResult` in `self.result` inside the block; `Pool.__exit__` calls
`terminate()`, which discards the pending tasks, so `thumbnails()` waits for a result that
never arrives: `self.result.get(timeout=3)` fails with

    multiprocessing.context.TimeoutError

Expected: "submitted" is printed, then the script dies with that traceback on stderr.
"""

import multiprocessing
import time


def slow_square(x):
    time.sleep(0.5)
    return x * x


class Gallery:
    def __init__(self):
        self.result = None

    def build(self):
        with multiprocessing.Pool(2) as pool:
            self.result = pool.map_async(slow_square, range(4))
            print("submitted", flush=True)

    def thumbnails(self):
        return self.result.get(timeout=3)  # BUG: the pool was terminated


if __name__ == "__main__":
    gallery = Gallery()
    gallery.build()
    print(f"result: {gallery.thumbnails()}", flush=True)
