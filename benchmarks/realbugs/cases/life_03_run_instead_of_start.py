# realbug: processes are run in the parent with run(), then joined
# source: https://github.com/yyyaoyuan/CWAN/issues/2
# expected: MPL104
# symptom: AssertionError: can only join a started process
from multiprocessing import Process


def train(seed):
    print("training with seed", seed)


if __name__ == "__main__":
    procs = []
    for seed in range(3):
        p = Process(target=train, args=(seed,))
        p.run()
        procs.append(p)
    for p in procs:
        p.join()
