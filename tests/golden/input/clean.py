"""Nothing to report: the pool is used the right way."""

from multiprocessing import Pool


def square(n: int) -> int:
    return n * n


if __name__ == "__main__":
    with Pool(2) as pool:
        print(pool.map(square, range(10)))
