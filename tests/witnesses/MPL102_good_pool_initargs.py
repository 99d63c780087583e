# witness: runs clean
# witness: prints "initialized: 5"
# witness: prints "result: 9"
"""MPL102 fixed: `Pool(1, initializer=init, initargs=(5,))`.

Expected output: "initialized: 5" (from the worker) and "result: 9".
"""

import multiprocessing


def init(level):
    print(f"initialized: {level}", flush=True)


def square(x):
    return x * x


if __name__ == "__main__":
    with multiprocessing.Pool(1, initializer=init, initargs=(5,)) as pool:
        print(f"result: {pool.apply(square, (3,))}", flush=True)
