# witness: dies "AssertionError: daemonic processes are not allowed to have children"
# witness: no value "result"
"""MPL106 daemon-process-spawns-children: a Pool created inside a Pool task.

Pool workers are daemonic, and a daemonic process may not have children: creating the
inner Pool fails in the worker, in multiprocessing/process.py, BaseProcess.start, and the
outer `pool.map()` raises it again in the parent:

    AssertionError: daemonic processes are not allowed to have children

Expected: the script dies with that traceback (exit status 1); no result is printed.
"""

import multiprocessing


def leaf(x):
    return x * x


def outer(chunk):
    with multiprocessing.Pool(2) as inner:  # BUG: this runs in a daemonic Pool worker
        return inner.map(leaf, chunk)


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(f"result: {pool.map(outer, [[1, 2], [3, 4]])}", flush=True)
