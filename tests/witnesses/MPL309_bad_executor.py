# witness: dies "concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending."
# witness: no value "results"
"""MPL309 worker-abrupt-exit: an executor task calls `os._exit()`.

The worker process dies on the spot; `concurrent.futures` marks the whole pool broken
and every pending future fails with

    concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending.

Expected: the script dies with that traceback (exit status 1); "results" is never
printed.
"""

import os
from concurrent.futures import ProcessPoolExecutor


def parse(path):
    if not path.endswith(".txt"):
        os._exit(1)  # BUG: kills the worker process instead of failing the task
    return len(path)


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as executor:
        print(f"results: {list(executor.map(parse, ['a.txt', 'b.csv', 'c.txt']))}", flush=True)
