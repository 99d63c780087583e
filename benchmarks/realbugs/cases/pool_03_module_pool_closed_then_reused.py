# realbug: a module-level pool is closed after the first call; the second call maps on it again
# source: https://github.com/johntruckenbrodt/spatialist/pull/43
# expected: MPL302
# symptom: ValueError: Pool not running
# why-missed: the close and the later map are in separate calls of the same function; the order is a run-time one
import multiprocessing

pool = None


def work(x):
    return x + 1


def parallel(items):
    global pool
    if pool is None:
        pool = multiprocessing.Pool(2)
    result = pool.map(work, items)
    pool.close()
    return result


if __name__ == "__main__":
    parallel([1, 2])
    parallel([3, 4])
