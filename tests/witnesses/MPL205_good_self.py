# witness: runs clean
# witness: prints "result: [0, 3, 6, 9]"
"""MPL205 unpicklable-argument, fixed: the task is a function given the data it needs.

Expected: "result: [0, 3, 6, 9]".
"""

import functools
import multiprocessing as mp


def handle(x, factor):
    return x * factor


class Service:
    def __init__(self):
        self.pool = mp.Pool(2)
        self.factor = 3

    def run(self, items):
        return self.pool.map(functools.partial(handle, factor=self.factor), items)

    def close(self):
        self.pool.close()
        self.pool.join()


if __name__ == "__main__":
    service = Service()
    try:
        print(f"result: {service.run(range(4))}", flush=True)
    finally:
        service.close()
