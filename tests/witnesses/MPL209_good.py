# witness: notebook
# witness: runs clean
# witness: prints exactly "result: [1, 1, 2, 6]"
"""MPL209 notebook-defined-worker: the worker imported from a module, spawn.

The same notebook with its worker in a module (here the standard library's): the children import
it by name, and the pool returns the results.
"""

import multiprocessing as mp
from math import factorial

with mp.get_context("spawn").Pool(2) as pool:
    print(f"result: {pool.map(factorial, range(4))}", flush=True)
