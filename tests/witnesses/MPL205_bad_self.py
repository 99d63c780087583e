# witness: dies "NotImplementedError: pool objects cannot be passed between processes or pickled"
# witness: no value "result"
"""MPL205 unpicklable-argument: a bound method whose instance holds the Pool.

pool.map(self.handle, ...) pickles self, and with it self.pool; Pool.__reduce__ raises

    NotImplementedError: pool objects cannot be passed between processes or pickled

Expected: the script dies with that error; no result is printed.
"""

import multiprocessing as mp


class Service:
    def __init__(self):
        self.pool = mp.Pool(2)
        self.factor = 3

    def handle(self, x):
        return x * self.factor

    def run(self, items):
        return self.pool.map(self.handle, items)  # BUG: pickles self.pool

    def close(self):
        self.pool.close()
        self.pool.join()


if __name__ == "__main__":
    service = Service()
    try:
        print(f"result: {service.run(range(4))}", flush=True)
    finally:
        service.close()
