# realbug: a thread of the parent and a child process both do `+=` on one key of a Manager dict
# source: https://github.com/python/cpython/issues/137233
# expected: MPL402
# symptom: increments of the thread and multiplications of the child are lost; no error
import multiprocessing
import threading
import time


class Incrementer(threading.Thread):
    def __init__(self, shared, **kwargs):
        super().__init__(**kwargs)
        self.shared = shared

    def run(self):
        while True:
            self.shared["total"] += 1
            time.sleep(1)


class Multiplier(multiprocessing.Process):
    def __init__(self, shared, **kwargs):
        super().__init__(**kwargs)
        self.shared = shared

    def run(self):
        while True:
            self.shared["total"] *= 10
            time.sleep(1)


if __name__ == "__main__":
    manager = multiprocessing.Manager()
    shared = manager.dict({"total": 0})
    workers = [Incrementer(shared, daemon=True), Multiplier(shared, daemon=True)]
    for worker in workers:
        worker.start()
    time.sleep(5)
    print(shared["total"])
