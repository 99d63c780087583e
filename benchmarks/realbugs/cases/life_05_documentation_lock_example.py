# realbug: the documentation's Lock example starts ten processes with the parent's lock and never joins them
# source: https://docs.python.org/3/library/multiprocessing.html#synchronization-between-processes
# expected: MPL408
# symptom: under spawn every child dies with FileNotFoundError: [Errno 2] No such file or directory (verified on 3.11)
from multiprocessing import Lock, Process


def f(l, i):
    l.acquire()
    try:
        print("hello world", i)
    finally:
        l.release()


if __name__ == "__main__":
    lock = Lock()
    for num in range(10):
        Process(target=f, args=(lock, num)).start()
