# witness: hangs
# witness: value "worker exits on" = "b.csv"
# witness: no value "results"
"""MPL309 worker-abrupt-exit: a Pool task calls `sys.exit()`.

`multiprocessing/pool.py` `worker` catches `Exception`, not `SystemExit`: the worker
process exits, its task is lost, the pool starts a replacement worker, and `pool.map`
waits forever for the lost result. The program HANGS (it has to be killed) after the
worker has printed "worker exits on: b.csv"; "results" is never printed.
"""

import multiprocessing
import sys


def parse(path):
    if not path.endswith(".txt"):
        print(f"worker exits on: {path}", flush=True)
        sys.exit(1)  # BUG: kills the worker process instead of failing the task
    return len(path)


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(f"results: {pool.map(parse, ['a.txt', 'b.csv', 'c.txt'])}", flush=True)
