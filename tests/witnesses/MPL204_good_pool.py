# witness: runs clean
# witness: prints "result: [0, 1, 4, 9]"
"""MPL204 worker-defined-under-main-guard, fixed: the task is defined at module level.

Expected: "result: [0, 1, 4, 9]".
"""

import multiprocessing as mp


def square(x):
    return x * x


if __name__ == "__main__":
    with mp.get_context("spawn").Pool(2) as pool:
        print(f"result: {pool.map(square, range(4))}", flush=True)
