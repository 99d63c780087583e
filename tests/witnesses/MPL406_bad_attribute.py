# witness: dies "BrokenPipeError: [Errno 32] Broken pipe"
# witness: value "inside" = "{'a': 1}"
# witness: no value "total"
"""MPL406 manager-used-after-shutdown: a proxy kept in an attribute and read by another method.

`build()` keeps the dict proxy in `self.shared` inside `with mp.Manager() as manager:`;
leaving the block shuts the manager's server down (`BaseManager.__exit__`), so when
`total()` reads the attribute later the proxy fails:
`BrokenPipeError: [Errno 32] Broken pipe`.

Expected output:
    inside: {'a': 1}
    (stderr) BrokenPipeError: [Errno 32] Broken pipe
"""

import multiprocessing as mp


def fill(shared):
    shared["a"] = 1


class Counts:
    def __init__(self):
        self.shared = None

    def build(self):
        with mp.Manager() as manager:
            self.shared = manager.dict()
            p = mp.Process(target=fill, args=(self.shared,))
            p.start()
            p.join()
            print(f"inside: {self.shared.copy()}", flush=True)

    def total(self):
        return sum(self.shared.values())  # BUG: the manager is gone


if __name__ == "__main__":
    counts = Counts()
    counts.build()
    print(f"total: {counts.total()}", flush=True)
