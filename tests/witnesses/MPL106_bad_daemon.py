# witness: exits 0
# witness: value "supervisor exitcode" = "1"
# witness: stderr has "AssertionError: daemonic processes are not allowed to have children"
# witness: never prints "leaf ran"
"""MPL106 daemon-process-spawns-children: a `daemon=True` Process that starts a child.

The supervisor's `child.start()` fails in the supervisor, in multiprocessing/process.py,
BaseProcess.start:

    AssertionError: daemonic processes are not allowed to have children

The error is only printed by the supervisor, which exits with code 1; the parent is not
told and exits 0.

Expected: "supervisor exitcode: 1" on stdout, the traceback on stderr, and the leaf never
runs.
"""

import multiprocessing


def leaf():
    print("leaf ran", flush=True)


def supervisor():
    child = multiprocessing.Process(target=leaf)
    child.start()  # BUG: the supervisor is a daemon
    child.join()


if __name__ == "__main__":
    sup = multiprocessing.Process(target=supervisor, daemon=True)
    sup.start()
    sup.join()
    print(f"supervisor exitcode: {sup.exitcode}", flush=True)
