# witness: dies "RuntimeError: context has already been set"
# witness: prints exactly "first pool: [0, 1, 4]"
"""MPL202 start-method-misconfigured: a pool wrapper sets the start method in __init__.

The first instance works; the second calls set_start_method() again, which raises.

Expected: "first pool: [0, 1, 4]", then exit status 1 with the RuntimeError.
"""

import multiprocessing


def square(x):
    return x * x


class WorkerPool:
    def __init__(self, processes):
        multiprocessing.set_start_method("spawn")  # BUG: runs for every instance
        self.pool = multiprocessing.Pool(processes)

    def run(self, items):
        try:
            return self.pool.map(square, items)
        finally:
            self.pool.close()
            self.pool.join()


if __name__ == "__main__":
    print("first pool:", WorkerPool(2).run(range(3)), flush=True)
    print("second pool:", WorkerPool(2).run(range(3)), flush=True)
