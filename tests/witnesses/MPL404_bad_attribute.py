# witness: exits 0
# witness: value "result" = "None"
# witness: stderr empty
"""MPL404 child-state-not-propagated: a Process subclass stores its result on self in run().

`run()` executes in the child, on the child's copy of the object: the parent's object
keeps the value `__init__` gave it.

Expected output:
    exitcode: 0
    result: None
"""

import multiprocessing as mp


class Square(mp.Process):
    def __init__(self, n):
        super().__init__()
        self.n = n
        self.result = None

    def run(self):
        self.result = self.n * self.n  # BUG: set in the child's copy


if __name__ == "__main__":
    job = Square(7)
    job.start()
    job.join()
    print(f"exitcode: {job.exitcode}", flush=True)
    print(f"result: {job.result}", flush=True)
