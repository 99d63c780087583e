# witness: runs clean
# witness: prints "result: [[1, 4], [9, 16]]"
"""MPL106 fixed: the outer pool is a ProcessPoolExecutor, whose workers are not daemonic.

Expected output: "result: [[1, 4], [9, 16]]".
"""

import concurrent.futures
import multiprocessing


def leaf(x):
    return x * x


def outer(chunk):
    with multiprocessing.Pool(2) as inner:
        return inner.map(leaf, chunk)


if __name__ == "__main__":
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        print(f"result: {list(ex.map(outer, [[1, 2], [3, 4]]))}", flush=True)
