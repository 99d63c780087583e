# witness: notebook
# witness: hangs
# witness: no value "result"
# witness: stderr has "AttributeError: Can't get attribute 'square' on <module '__main__' (built-in)>"
"""MPL209 notebook-defined-worker: a Pool task defined in a notebook, spawn.

Every worker dies with AttributeError while reading the task (multiprocessing/pool.py worker only
catches EOFError and OSError there); the pool replaces it, and map() hangs forever.
"""

import multiprocessing as mp


def square(x):
    return x * x


with mp.get_context("spawn").Pool(2) as pool:
    print(f"result: {pool.map(square, range(4))}", flush=True)
