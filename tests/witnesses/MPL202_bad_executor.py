# witness: dies "ValueError: max_tasks_per_child is incompatible with the 'fork' multiprocessing start method; supply a different mp_context."
# witness: no value "result"
# witness: start-method fork
"""MPL202 start-method-misconfigured: max_tasks_per_child with a fork context.

concurrent/futures/process.py ProcessPoolExecutor.__init__ raises

    ValueError: max_tasks_per_child is incompatible with the 'fork' multiprocessing start method; supply a different mp_context.

Expected: the script dies with that ValueError; no result is printed.
"""

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor


def square(x):
    return x * x


if __name__ == "__main__":
    with ProcessPoolExecutor(
        max_workers=2, mp_context=mp.get_context("fork"), max_tasks_per_child=2  # BUG
    ) as executor:
        print(f"result: {list(executor.map(square, range(4)))}", flush=True)
