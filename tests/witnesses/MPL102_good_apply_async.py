# witness: runs clean
# witness: prints "result: 6"
"""MPL102 fixed: `pool.apply_async(add, (5,))`.

Expected output: "result: 6".
"""

import multiprocessing


def add(n):
    return n + 1


if __name__ == "__main__":
    with multiprocessing.Pool(1) as pool:
        result = pool.apply_async(add, (5,))
        print(f"result: {result.get(timeout=10)}", flush=True)
