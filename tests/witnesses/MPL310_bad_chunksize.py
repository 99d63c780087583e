# witness: dies "TypeError: '<=' not supported between instances of 'list' and 'int'"
# witness: no value "sums"
"""MPL310 map-arity-mismatch: `pool.map(f, xs, ys)`: the second list becomes `chunksize`.

`Pool.map(func, iterable, chunksize)` takes one iterable; the third positional
argument is the chunk size, and `multiprocessing/pool.py` fails with

    TypeError: '<=' not supported between instances of 'list' and 'int'

Expected: the script dies with that traceback (exit status 1); "sums" is never printed.
"""

import multiprocessing


def add(a, b):
    return a + b


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(f"sums: {pool.map(add, [1, 3], [2, 4])}", flush=True)  # BUG: not two iterables
