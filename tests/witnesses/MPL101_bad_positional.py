# witness: dies "AssertionError: group argument must be None for now"
# witness: no value "work ran in pid"
"""MPL101 bad-process-target: the target is passed positionally.

The first positional parameter of `Process` is `group`, not `target`, so
`Process(work, args=(21,))` fails in the parent, inside
multiprocessing/process.py BaseProcess.__init__, with

    AssertionError: group argument must be None for now

Expected: the script dies with that traceback on stderr (exit status 1) and no
process is started.
"""

import multiprocessing
import os


def work(n):
    print(f"work ran in pid: {os.getpid()}", flush=True)
    return n * 2


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    p = multiprocessing.Process(work, args=(21,))  # BUG: should be target=work
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
