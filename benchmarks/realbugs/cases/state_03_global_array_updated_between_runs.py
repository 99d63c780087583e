# realbug: a global array is updated after each evolution run, but the pool's workers keep the old copy
# source: https://github.com/DEAP/deap/issues/452
# expected: MPL208
# symptom: the workers never see the updated array
# why-missed: the pool is created once before the loop; the stale copy comes from when the workers started, which the rule does not model
import multiprocessing

import numpy as np

target = np.zeros(3)


def evaluate(individual):
    return float(np.sum(target * individual))


def update_global_array():
    global target
    target = target + 1


if __name__ == "__main__":
    pool = multiprocessing.Pool()
    for _ in range(3):
        print(pool.map(evaluate, [np.ones(3)]))
        update_global_array()
    pool.close()
    pool.join()
