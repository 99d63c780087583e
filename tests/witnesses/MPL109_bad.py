# witness: exits 1
# witness: stderr matches "AttributeError: 'Worker' object has no attribute '_closed'.*"
# witness: prints exactly "created"
"""MPL109 process-subclass-no-super-init: `__init__` never calls `Process.__init__()`.

`start()` fails in the parent, in multiprocessing/process.py, BaseProcess.start
(`_check_closed`):

    AttributeError: 'Worker' object has no attribute '_closed'

Expected: "created" on stdout, then the script dies with that traceback (exit status 1).
"""

import multiprocessing


class Worker(multiprocessing.Process):
    def __init__(self, n):  # BUG: the base __init__ is never called
        self.n = n

    def run(self):
        print(f"worker {self.n} ran", flush=True)


if __name__ == "__main__":
    w = Worker(1)
    print("created", flush=True)
    w.start()
    w.join()
