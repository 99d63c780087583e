# witness: notebook
# witness: start-method fork
# witness: runs clean
# witness: prints exactly "result: [0, 1, 4, 9]"
"""MPL209 notebook-defined-worker: set_start_method("fork") in a cell, then a plain Pool.

The notebook chooses fork for its default context: the workers inherit square.
"""

import multiprocessing as mp

mp.set_start_method("fork", force=True)


def square(x):
    return x * x


with mp.Pool(2) as pool:
    print(f"result: {pool.map(square, range(4))}", flush=True)
