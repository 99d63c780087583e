# realbug: a result callback raises, which kills the pool's result-handler thread
# source: https://github.com/python/cpython/issues/83371
# expected: none
# why-none: whether the callback raises depends on the values at run time
from multiprocessing import Pool


def job(x):
    return x


def on_result(value):
    if value > 1:
        raise ValueError("callback raises")
    print("value", value)


if __name__ == "__main__":
    with Pool(2) as pool:
        results = [pool.apply_async(job, (i,), callback=on_result) for i in range(3)]
        for r in results:
            r.get()
