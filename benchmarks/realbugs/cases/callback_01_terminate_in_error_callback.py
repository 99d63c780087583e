# realbug: the pool is terminated from an error_callback to stop at the first failure
# source: https://github.com/python/cpython/issues/87129
# expected: MPL305
# symptom: deadlock: terminate() waits for the result-handler thread the callback runs in
from multiprocessing import Pool


def job(x):
    if x == 3:
        raise ValueError(x)
    return x


if __name__ == "__main__":
    pool = Pool(2)

    def stop_all(exc):
        print("stopping:", exc)
        pool.terminate()

    for i in range(10):
        pool.apply_async(job, (i,), error_callback=stop_all)
    pool.close()
    pool.join()
