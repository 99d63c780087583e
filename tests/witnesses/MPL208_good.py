# witness: runs clean
# witness: prints "parent mode: production"
# witness: prints "worker modes: ['production', 'production']"
"""MPL208 implicit-fork-state, fixed: the setting travels through initargs.

Expected: "parent mode: production", "worker modes: ['production', 'production']".
"""

import multiprocessing as mp

CONFIG = {"mode": "default"}


def init(mode):
    CONFIG["mode"] = mode


def work(_):
    return CONFIG["mode"]


if __name__ == "__main__":
    mode = "production"
    print(f"parent mode: {mode}", flush=True)
    with mp.get_context("spawn").Pool(2, initializer=init, initargs=(mode,)) as pool:
        print(f"worker modes: {pool.map(work, range(2))}", flush=True)
