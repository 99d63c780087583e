# realbug: elements of a shared list of lists are incremented in place
# source: https://github.com/classner/pymp/issues/2
# expected: MPL403
# symptom: the list is unchanged after the parallel loop
from multiprocessing import Manager, Pool


def bump(args):
    shared, i = args
    for j in range(2):
        shared[i][j] += 1


if __name__ == "__main__":
    with Manager() as manager:
        a = manager.list([[i, 1] for i in range(4)])
        with Pool(4) as pool:
            pool.map(bump, [(a, i) for i in range(4)])
        print(list(a))
