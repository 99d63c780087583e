# witness: exits 1
# witness: stderr matches "AttributeError: 'Worker' object has no attribute '_popen'.*"
# witness: prints nothing
"""MPL109 process-subclass-no-super-init: `self.daemon` is set before `Process.__init__()`.

The `daemon` setter checks `self._popen`, which the base `__init__` has not created yet
(multiprocessing/process.py, the `daemon` setter):

    AttributeError: 'Worker' object has no attribute '_popen'

Expected: the script dies with that traceback (exit status 1); "created" is never printed.
"""

import multiprocessing


class Worker(multiprocessing.Process):
    def __init__(self, n):
        self.daemon = True  # BUG: before the base __init__
        super().__init__()
        self.n = n

    def run(self):
        print(f"worker {self.n} ran", flush=True)


if __name__ == "__main__":
    w = Worker(1)
    print("created", flush=True)
    w.start()
    w.join()
