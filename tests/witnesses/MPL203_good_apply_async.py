# witness: runs clean
# witness: prints "results: [42]"
"""MPL203 unpicklable-callable, fixed: a module-level function given to apply_async().

Expected: "results: [42]".
"""

from multiprocessing import Pool


def answer():
    return 42


def main():
    results = []
    with Pool(2) as pool:
        pool.apply_async(answer, callback=results.append)
        pool.close()
        pool.join()
    print(f"results: {results}", flush=True)


if __name__ == "__main__":
    main()
