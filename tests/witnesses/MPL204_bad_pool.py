# witness: hangs
# witness: no value "result"
# witness: stderr matches "AttributeError: Can't get attribute 'square' on <module '__mp_main__' from '.*MPL204_bad_pool\.py'>"
"""MPL204 worker-defined-under-main-guard: a Pool task defined under the guard, spawn.

Every worker dies with AttributeError: Can't get attribute 'square' on <module
'__mp_main__' ...> while reading the task (multiprocessing/pool.py worker only catches
EOFError and OSError there); the pool replaces it, and map() hangs forever.

Expected: a hang (killed by the test's timeout), no result, the AttributeError on stderr.
"""

import multiprocessing as mp

if __name__ == "__main__":

    def square(x):  # BUG: only exists when run as a script
        return x * x

    with mp.get_context("spawn").Pool(2) as pool:
        print(f"result: {pool.map(square, range(4))}", flush=True)
