# realbug: an AsyncResult is waited for after the pool's with block (which terminates the pool)
# source: https://github.com/python/cpython/issues/126743
# expected: MPL301
# symptom: result.get() hangs forever
import multiprocessing
from time import sleep

if __name__ == "__main__":
    with multiprocessing.Pool() as p:
        result = p.apply_async(sleep, (1,))
    result.get()
