# witness: exits 1
# witness: stderr has "AttributeError: Can't pickle local object 'main.<locals>.<lambda>'" or "AttributeError: Can't get local object 'main.<locals>.<lambda>'"
# witness: no value "result"
"""MPL203 unpicklable-callable: a lambda given to Pool.map().

Pool tasks are pickled on every start method. The task handler thread fails to pickle
the lambda and map() re-raises:

    AttributeError: Can't pickle local object 'main.<locals>.<lambda>'

(3.13 says "Can't get local object"). Expected: the script dies with that error.
"""

from multiprocessing import Pool


def main():
    with Pool(2) as pool:
        print(f"result: {pool.map(lambda x: x * x, range(4))}", flush=True)  # BUG


if __name__ == "__main__":
    main()
