# witness: runs clean
# witness: prints "results: [0, 1, 4, 9]"
"""MPL404 fixed: the results travel back as return values of a pool.

Expected output:
    results: [0, 1, 4, 9]
"""

import multiprocessing as mp


def work(i):
    return i * i


if __name__ == "__main__":
    with mp.Pool(4) as pool:
        results = pool.map(work, range(4))
    print(f"results: {results}", flush=True)
