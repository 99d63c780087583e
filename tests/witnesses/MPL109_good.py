# witness: runs clean
# witness: prints "created"
# witness: prints "worker 1 ran"
# witness: prints "daemon: True"
# witness: prints "child exitcode: 0"
"""MPL109 fixed: `super().__init__()` first, then the subclass's own attributes.

Expected output: "created", "worker 1 ran" (from the child), "daemon: True" and
"child exitcode: 0".
"""

import multiprocessing


class Worker(multiprocessing.Process):
    def __init__(self, n):
        super().__init__()
        self.daemon = True
        self.n = n

    def run(self):
        print(f"worker {self.n} ran", flush=True)


if __name__ == "__main__":
    w = Worker(1)
    print("created", flush=True)
    w.start()
    w.join()
    print(f"daemon: {w.daemon}", flush=True)
    print(f"child exitcode: {w.exitcode}", flush=True)
