# realbug: appending to a list stored in a Manager dict changes a copy
# source: https://github.com/python/cpython/issues/91192
# expected: MPL403
# symptom: the lists in the shared dict stay empty
from multiprocessing import Manager, Process


def collect(shared, key, value):
    shared[key].append(value)


if __name__ == "__main__":
    with Manager() as manager:
        shared = manager.dict({"a": [], "b": []})
        procs = [Process(target=collect, args=(shared, "a", i)) for i in range(3)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        print(dict(shared))
