# multiprocessing, Shared ctypes Objects (Value): "with counter.get_lock(): counter.value += 1",
# the documented way to increment a shared value atomically, in a program.
from multiprocessing import Process, Value


def count(counter):
    for _ in range(1000):
        with counter.get_lock():
            counter.value += 1


if __name__ == "__main__":
    counter = Value("i", 0)
    procs = [Process(target=count, args=(counter,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(counter.value)
