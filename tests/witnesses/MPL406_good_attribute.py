# witness: exits 0
# witness: value "total" = "1"
"""MPL406 manager-used-after-shutdown, corrected: `build()` copies the proxy's data into a
plain dict before the manager's `with` block ends, and `total()` reads the copy.

Expected output:
    total: 1
"""

import multiprocessing as mp


def fill(shared):
    shared["a"] = 1


class Counts:
    def __init__(self):
        self.counts = {}

    def build(self):
        with mp.Manager() as manager:
            shared = manager.dict()
            p = mp.Process(target=fill, args=(shared,))
            p.start()
            p.join()
            self.counts = dict(shared)

    def total(self):
        return sum(self.counts.values())


if __name__ == "__main__":
    counts = Counts()
    counts.build()
    print(f"total: {counts.total()}", flush=True)
