# multiprocessing, Programming guidelines, "Explicitly pass resources to child processes": the
# rewritten example (the lock is an argument, not a global).
from multiprocessing import Lock, Process


def f(l):
    with l:  # ... do something using "l" ...
        print("holding the lock")


if __name__ == "__main__":
    lock = Lock()
    for i in range(10):
        Process(target=f, args=(lock,)).start()
