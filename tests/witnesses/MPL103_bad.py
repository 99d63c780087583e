# witness: dies "AssertionError: cannot start a process twice"
# witness: prints exactly "round 0 exitcode: 0"
"""MPL103 process-started-twice: one Process object started on every pass of a loop.

The first pass runs the child; the second `start()` fails in the parent, in
multiprocessing/process.py, BaseProcess.start (even though the first run was joined):

    AssertionError: cannot start a process twice

Expected: "round 0 exitcode: 0" on stdout, then the script dies with that traceback
(exit status 1).
"""

import multiprocessing


def poll():
    pass


if __name__ == "__main__":
    p = multiprocessing.Process(target=poll)
    for round_ in range(3):
        p.start()  # BUG: the same object on every pass
        p.join()
        print(f"round {round_} exitcode: {p.exitcode}", flush=True)
