# realbug: the docs' queue example with 10000 puts: one get(), then join(1), then the program ends
# source: https://github.com/python/cpython/issues/91594
# expected: MPL501
# symptom: the program hangs at exit after the last iteration; fine with fewer items
from multiprocessing import Process, Queue


def f(q):
    for i in range(10000):
        q.put([42, None, "hello"])


if __name__ == "__main__":
    q = Queue()
    p = Process(target=f, args=(q,))
    p.start()
    print(q.get())
    p.join(1)
