# witness: runs clean
# witness: prints "initialized: 5"
# witness: prints "result: 9"
"""MPL102 fixed: `initargs=(5,)`.

Expected output: "initialized: 5" (from the worker) and "result: 9".
"""

import concurrent.futures


def init(level):
    print(f"initialized: {level}", flush=True)


def square(x):
    return x * x


if __name__ == "__main__":
    with concurrent.futures.ProcessPoolExecutor(1, initializer=init, initargs=(5,)) as ex:
        print(f"result: {ex.submit(square, 3).result(timeout=10)}", flush=True)
