# witness: runs clean
# witness: prints "result: [0, 1, 4, 9]"
"""MPL202 start-method-misconfigured, fixed: max_tasks_per_child with a spawn context.

Expected: "result: [0, 1, 4, 9]".
"""

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor


def square(x):
    return x * x


if __name__ == "__main__":
    with ProcessPoolExecutor(
        max_workers=2, mp_context=mp.get_context("spawn"), max_tasks_per_child=2
    ) as executor:
        print(f"result: {list(executor.map(square, range(4)))}", flush=True)
