# witness: runs clean
# witness: prints "first: 4"
# witness: prints "second: 9"
# witness: prints "joined"
"""MPL302 fixed: all work is submitted to the Pool before `close()` and `join()`.

Expected output: "first: 4", "second: 9" and "joined"; exit status 0 and nothing
on stderr.
"""

import multiprocessing


def square(x):
    return x * x


if __name__ == "__main__":
    pool = multiprocessing.Pool(2)
    print(f"first: {pool.apply_async(square, (2,)).get(timeout=10)}", flush=True)
    second = pool.apply_async(square, (3,))
    pool.close()
    print(f"second: {second.get(timeout=10)}", flush=True)
    pool.join()
    print("joined", flush=True)
