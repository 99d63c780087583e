# witness: runs clean
# witness: prints "result: [0, 1, 4, 9]"
# witness: start-method spawn
"""MPL201 fixed: the ProcessPoolExecutor is used under an `if __name__ == "__main__":` guard.

Expected output: "result: [0, 1, 4, 9]"; exit status 0 and nothing on stderr.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

ctx = multiprocessing.get_context("spawn")


def square(x):
    return x * x


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as executor:
        print(f"result: {list(executor.map(square, range(4)))}", flush=True)
