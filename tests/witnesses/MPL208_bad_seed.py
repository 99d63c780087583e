# witness: exits 0
# witness: value "same draws" = "False"
"""MPL208 implicit-fork-state: random.seed() in the parent does not seed the workers.

The parent seeds `random` before each of two identical runs; the workers draw from their
own generator (re-seeded after fork, fresh under spawn), so the runs differ.
Expected: "same draws: False".
"""

import multiprocessing as mp
import random


def draw(_):
    return random.random()


def run():
    random.seed(7)  # BUG: seeds the parent only
    with mp.Pool(2) as pool:
        return pool.map(draw, range(4))


if __name__ == "__main__":
    print(f"same draws: {run() == run()}", flush=True)
