# witness: runs clean
# witness: prints "submitted"
# witness: prints "results: [0, 1, 4, 9]"
# witness: within 3 seconds
"""MPL301 fixed: `close()` and `join()` end the `with Pool()` block, so every task
completes before `Pool.__exit__` terminates the pool, and the iterator can be
consumed after the block.

Expected output: "submitted" and "results: [0, 1, 4, 9]"; exit status 0.
"""

import multiprocessing
import time


def slow_square(x):
    time.sleep(0.5)
    return x * x


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        it = pool.imap(slow_square, range(4))
        print("submitted", flush=True)
        pool.close()
        pool.join()
    print(f"results: {list(it)}", flush=True)
