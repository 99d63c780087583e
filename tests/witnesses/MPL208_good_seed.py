# witness: runs clean
# witness: prints "same draws: True"
"""MPL208 implicit-fork-state, fixed: each task gets its own seed.

Expected: "same draws: True".
"""

import multiprocessing as mp
import random


def draw(seed):
    return random.Random(seed).random()


def run():
    seeds = range(4)
    with mp.Pool(2) as pool:
        return pool.map(draw, seeds)


if __name__ == "__main__":
    print(f"same draws: {run() == run()}", flush=True)
