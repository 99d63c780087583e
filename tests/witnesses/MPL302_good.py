# witness: runs clean
# witness: prints "result: [0, 1, 4, 9]"
# witness: prints "joined"
"""MPL302 fixed: `Pool.close()` then `Pool.join()`.

Expected output: "result: [0, 1, 4, 9]" and "joined"; exit status 0 and nothing on
stderr.
"""

import multiprocessing


def square(x):
    return x * x


if __name__ == "__main__":
    pool = multiprocessing.Pool(2)
    print(f"result: {pool.map(square, range(4))}", flush=True)
    pool.close()
    pool.join()
    print("joined", flush=True)
