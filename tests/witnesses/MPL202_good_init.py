# witness: runs clean
# witness: prints exactly "first pool: [0, 1, 4]" "second pool: [0, 1, 4]"
"""MPL202 fixed: each pool asks a spawn context for its processes; nothing is set globally.

Expected: both pools print their results, exit status 0.
"""

import multiprocessing


def square(x):
    return x * x


class WorkerPool:
    def __init__(self, processes):
        self.pool = multiprocessing.get_context("spawn").Pool(processes)

    def run(self, items):
        try:
            return self.pool.map(square, items)
        finally:
            self.pool.close()
            self.pool.join()


if __name__ == "__main__":
    print("first pool:", WorkerPool(2).run(range(3)), flush=True)
    print("second pool:", WorkerPool(2).run(range(3)), flush=True)
