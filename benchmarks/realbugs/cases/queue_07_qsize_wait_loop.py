# realbug: a preprocessor waits for its input queue to drain by polling qsize()
# source: https://github.com/DeepRank/deeprank2/issues/55
# expected: MPL503
# symptom: NotImplementedError from Queue.qsize() on macOS
import time
from multiprocessing import Process, Queue


def consume(queue):
    while True:
        item = queue.get()
        if item is None:
            break


class Preprocessor:
    def __init__(self):
        self._input_queue = Queue()
        self._worker = Process(target=consume, args=(self._input_queue,))

    def wait(self):
        while self._input_queue.qsize() > 0:
            time.sleep(0.1)


if __name__ == "__main__":
    pre = Preprocessor()
    pre._worker.start()
    pre._input_queue.put(1)
    pre.wait()
    pre._input_queue.put(None)
    pre._worker.join()
