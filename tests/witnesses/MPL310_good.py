# witness: runs clean
# witness: prints "sums: [3, 7]"
# witness: prints "zipped sums: [3, 7]"
# witness: within 3 seconds
"""MPL310 fixed: `starmap` unpacks each tuple into the function's parameters.

Expected output: "sums: [3, 7]" and "zipped sums: [3, 7]"; exit status 0.
"""

import multiprocessing


def add(a, b):
    return a + b


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(f"sums: {pool.starmap(add, [(1, 2), (3, 4)])}", flush=True)
        print(f"zipped sums: {pool.starmap(add, zip([1, 3], [2, 4]))}", flush=True)
