# realbug: pathos pools are singletons: closing one closes every Pool(4) created later
# source: https://github.com/uqfoundation/pathos/issues/171
# expected: none
# why-none: pathos is not the standard library and has its own pool lifecycle
from pathos.multiprocessing import ProcessingPool as Pool


def my_func(row):
    return row


if __name__ == "__main__":
    pool = Pool(4)
    print(pool.map(my_func, [1, 2]))
    pool.close()
    pool.join()
