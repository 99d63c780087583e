# witness: hangs
# witness: prints exactly "submitted"
"""MPL301 pool-results-after-with: an `imap` iterator is consumed after the `with Pool()` block.

`Pool.__exit__` terminated the pool, so the remaining items never arrive and iterating
`it` after the block blocks forever in `multiprocessing/pool.py` `IMapIterator.next`:
the program HANGS (it has to be killed) and "results" is never printed.
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
    print(f"results: {list(it)}", flush=True)  # BUG: hangs, the pool was terminated
