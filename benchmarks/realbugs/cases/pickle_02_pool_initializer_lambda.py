# realbug: a pool created with a lambda initializer breaks once the default start method is forkserver
# source: https://github.com/python/cpython/issues/142249
# expected: MPL203
# symptom: PicklingError / AttributeError: module '__main__' has no attribute '<lambda>' (Python 3.14, Linux)
import multiprocessing


def square(x):
    return x * x


if __name__ == "__main__":
    pool = multiprocessing.Pool(None, lambda: None)
    print(pool.map(square, range(8)))
    pool.close()
    pool.join()
