# witness: dies "NameError: name 'SCALE' is not defined"
# witness: start-method spawn
"""MPL208 implicit-fork-state: a global that only main() creates, read by spawned pool workers.

The module never binds SCALE at import time; `global SCALE` in main() creates it in the parent only.
Each spawned worker re-imports the module, where the name does not exist: the task raises NameError,
which pool.map() re-raises in the parent.
"""

import multiprocessing as mp


def correct(chunk):
    return chunk * SCALE


def main():
    global SCALE
    SCALE = 2.0  # BUG: only this process has the name
    with mp.get_context("spawn").Pool(2) as pool:
        print(pool.map(correct, range(4)), flush=True)


if __name__ == "__main__":
    main()
