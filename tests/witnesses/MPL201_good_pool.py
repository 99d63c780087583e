# witness: runs clean
# witness: prints "result: [0, 1, 4, 9]"
# witness: start-method spawn
"""MPL201 fixed: the Pool is created under an `if __name__ == "__main__":` guard.

Expected output: "result: [0, 1, 4, 9]"; exit status 0 and nothing on stderr.
"""

import multiprocessing

ctx = multiprocessing.get_context("spawn")


def square(x):
    return x * x


if __name__ == "__main__":
    pool = ctx.Pool(2)
    print(f"result: {pool.map(square, range(4))}", flush=True)
    pool.close()
    pool.join()
