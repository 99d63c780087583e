# realbug: a global set in the __main__ block is read by pool workers, which see the import-time value under spawn
# source: https://github.com/python/cpython/issues/84112
# expected: MPL208
# symptom: workers see the global's initial value on macOS (spawn); fine on Linux (fork)
import multiprocessing

settings = None


def work(x):
    return (settings, x)


if __name__ == "__main__":
    settings = {"scale": 3}
    with multiprocessing.Pool(2) as pool:
        print(pool.map(work, range(3)))
