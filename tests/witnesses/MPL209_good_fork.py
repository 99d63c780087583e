# witness: notebook
# witness: start-method fork
# witness: runs clean
# witness: prints exactly "result: [0, 1, 4, 9]"
"""MPL209 notebook-defined-worker: a notebook-defined worker under an explicit fork context.

A forked worker inherits the notebook's __main__, square included: the pool returns the results.
"""

import multiprocessing as mp


def square(x):
    return x * x


with mp.get_context("fork").Pool(2) as pool:
    print(f"result: {pool.map(square, range(4))}", flush=True)
