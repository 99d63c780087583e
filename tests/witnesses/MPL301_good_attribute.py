# witness: exits 0
# witness: value "result" = "[0, 1, 4, 9]"
"""MPL301 pool-results-after-with, corrected: the block closes and joins the pool
before it ends, so every task completes and `thumbnails()` reads a finished result.

Expected output:
    result: [0, 1, 4, 9]
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
            pool.close()
            pool.join()

    def thumbnails(self):
        return self.result.get(timeout=3)


if __name__ == "__main__":
    gallery = Gallery()
    gallery.build()
    print(f"result: {gallery.thumbnails()}", flush=True)
