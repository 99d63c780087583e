# witness: hangs
# witness: no value "result"
# witness: no value "initialized"
# witness: stderr repeats "TypeError: __main__.init() argument after * must be an iterable, not int"
"""MPL102 args-not-a-tuple: `Pool(1, initializer=init, initargs=(5))`.

Every worker dies in `initializer(*initargs)` (multiprocessing/pool.py, worker) with

    TypeError: __main__.init() argument after * must be an iterable, not int

and the pool replaces it with a new worker that dies the same way, forever: the task never
runs and `pool.apply()` hangs.

Expected: a hang (the test kills the script), with that traceback repeated on stderr and
no result printed.
"""

import multiprocessing


def init(level):
    print(f"initialized: {level}", flush=True)


def square(x):
    return x * x


if __name__ == "__main__":
    with multiprocessing.Pool(1, initializer=init, initargs=(5)) as pool:  # BUG: (5) is an int
        print(f"result: {pool.apply(square, (3,))}", flush=True)
