# witness: hangs
# witness: no value "result"
# witness: stderr contains "An attempt has been made to start a new process before the"
# witness: stderr repeats "current process has finished its bootstrapping phase."
# witness: start-method spawn
"""MPL201 missing-main-guard: a Pool is created at import time, under spawn.

Every spawned worker re-imports the main script as `__mp_main__`, runs the unguarded
module body, tries to create a Pool of its own while still bootstrapping, and dies
with

    RuntimeError: An attempt has been made to start a new process before the
    current process has finished its bootstrapping phase.

The parent's Pool keeps replacing the dead workers, forever, so `pool.map` never
returns: the program HANGS (it has to be killed) and "result" is never printed.
"""

import multiprocessing

ctx = multiprocessing.get_context("spawn")


def square(x):
    return x * x


pool = ctx.Pool(2)  # BUG: no `if __name__ == "__main__":` guard
print(f"result: {pool.map(square, range(4))}", flush=True)
pool.close()
pool.join()
