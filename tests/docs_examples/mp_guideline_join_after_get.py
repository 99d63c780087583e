# multiprocessing, Programming guidelines, "Joining processes that use queues": the deadlocking
# example with its documented fix (the last two lines swapped).
from multiprocessing import Process, Queue


def f(q):
    q.put("X" * 1000000)


if __name__ == "__main__":
    queue = Queue()
    p = Process(target=f, args=(queue,))
    p.start()
    obj = queue.get()
    p.join()
