# witness: runs clean
# witness: prints "result: [0, 1, 4, 9]"
"""MPL203 unpicklable-callable, fixed: a module-level function given to Pool.map().

Expected: "result: [0, 1, 4, 9]".
"""

from multiprocessing import Pool


def square(x):
    return x * x


def main():
    with Pool(2) as pool:
        print(f"result: {pool.map(square, range(4))}", flush=True)


if __name__ == "__main__":
    main()
