# witness: runs clean
# witness: prints "result: 49"
# witness: prints "exitcode: 0"
"""MPL404 fixed: the child sends its result back through a queue.

Expected output:
    result: 49
    exitcode: 0
"""

import multiprocessing as mp


class Square(mp.Process):
    def __init__(self, n, results):
        super().__init__()
        self.n = n
        self.results = results

    def run(self):
        self.results.put(self.n * self.n)


if __name__ == "__main__":
    results = mp.Queue()
    job = Square(7, results)
    job.start()
    print(f"result: {results.get(timeout=10)}", flush=True)
    job.join()
    print(f"exitcode: {job.exitcode}", flush=True)
