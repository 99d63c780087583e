# witness: dies "TypeError: __main__.add() argument after * must be an iterable, not int"
# witness: no value "result"
"""MPL102 args-not-a-tuple: `pool.apply_async(add, (5))` passes an int as the argument tuple.

The worker runs `func(*args)` in multiprocessing/pool.py, worker, and the error comes back
through AsyncResult.get() in the parent:

    TypeError: __main__.add() argument after * must be an iterable, not int

Expected: the script dies with that traceback (exit status 1); no result is printed.
"""

import multiprocessing


def add(n):
    return n + 1


if __name__ == "__main__":
    with multiprocessing.Pool(1) as pool:
        result = pool.apply_async(add, (5))  # BUG: (5) is the int 5
        print(f"result: {result.get(timeout=10)}", flush=True)
