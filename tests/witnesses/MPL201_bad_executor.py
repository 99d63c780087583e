# witness: dies "concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending."
# witness: stderr contains "An attempt has been made to start a new process before the"
# witness: stderr contains "current process has finished its bootstrapping phase."
# witness: no value "result"
# witness: start-method spawn
"""MPL201 missing-main-guard: a ProcessPoolExecutor is used at import time, under spawn.

Each spawned worker re-imports the main script as `__mp_main__`, runs the unguarded
module body, tries to start worker processes of its own while still bootstrapping,
and dies with "RuntimeError: ... bootstrapping phase". The parent's executor sees its
workers die and fails every pending future with

    concurrent.futures.process.BrokenProcessPool: A process in the process pool was
    terminated abruptly while the future was running or pending.

Expected: the script dies with BrokenProcessPool (exit status 1), "result" is never
printed.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

ctx = multiprocessing.get_context("spawn")


def square(x):
    return x * x


with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as executor:  # BUG: no guard
    print(f"result: {list(executor.map(square, range(4)))}", flush=True)
