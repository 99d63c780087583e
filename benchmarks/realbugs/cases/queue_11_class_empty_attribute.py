# realbug: a prefetch loop catches Queue.Empty on the queue class it imported
# source: https://github.com/danilop/yas3fs/issues/159
# expected: MPL502
# symptom: AttributeError: class Queue has no attribute 'Empty', raised from the except clause
from multiprocessing import Process, Queue


def download(queue):
    while True:
        try:
            path = queue.get(timeout=1)
        except Queue.Empty:
            continue
        if path is None:
            return


if __name__ == "__main__":
    q = Queue()
    p = Process(target=download, args=(q,))
    p.start()
    q.put(None)
    p.join()
