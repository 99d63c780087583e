# realbug: a pool task starts a helper Process of its own (pool workers are daemonic)
# source: https://github.com/sixty-north/multiprocessing_on_dill/issues/4
# expected: MPL106
# symptom: AssertionError: daemonic processes are not allowed to have children
from multiprocessing import Pipe, Pool, Process


def build(kind, out):
    out.send(kind * 2)


def construct(kind):
    parent_end, child_end = Pipe()
    process = Process(target=build, args=(kind, child_end))
    process.start()
    result = parent_end.recv()
    process.join()
    return result


if __name__ == "__main__":
    with Pool(2) as pool:
        print(pool.map(construct, [1, 2, 3]))
