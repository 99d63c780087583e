# witness: exits 0
# witness: value "results" = "[]"
# witness: stderr empty
"""MPL203 unpicklable-callable: a lambda given to apply_async() whose result is never read.

The pickling error is stored on the AsyncResult, and nobody calls get(): the task is
silently lost. Expected: "results: []", exit status 0 and nothing on stderr.
"""

from multiprocessing import Pool


def main():
    results = []
    with Pool(2) as pool:
        pool.apply_async(lambda: 42, callback=results.append)  # BUG: never runs
        pool.close()
        pool.join()
    print(f"results: {results}", flush=True)


if __name__ == "__main__":
    main()
