# witness: dies "TypeError: add() missing 1 required positional argument: 'b'"
# witness: no value "sums"
"""MPL310 map-arity-mismatch: `pool.map` with a two-parameter function and pairs.

`Pool.map` passes each item as ONE argument, so `add((1, 2))` fails in the worker and
`pool.map` re-raises

    TypeError: add() missing 1 required positional argument: 'b'

Expected: the script dies with that traceback (exit status 1); "sums" is never printed.
"""

import multiprocessing


def add(a, b):
    return a + b


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(f"sums: {pool.map(add, [(1, 2), (3, 4)])}", flush=True)  # BUG: use starmap
