# witness: exits 0
# witness: values "module body run as" = "__main__" "__mp_main__"
# witness: no value "work ran in pid"
# witness: value "child exitcode" = "1"
# witness: stderr contains "An attempt has been made to start a new process before the"
# witness: stderr contains "current process has finished its bootstrapping phase."
# witness: stderr contains "RuntimeError"
# witness: start-method forkserver
"""MPL201 missing-main-guard: a Process is started at import time, under forkserver.

forkserver prepares each child like spawn does: the child re-imports the main script
as `__mp_main__`. Without an `if __name__ == "__main__":` guard the child runs the
module body again, reaches `start()` while still bootstrapping, and dies (exitcode 1)
with

    RuntimeError: An attempt has been made to start a new process before the
    current process has finished its bootstrapping phase.

Expected: the module-level line is printed twice (as __main__ and as __mp_main__),
"work ran" never appears, "child exitcode: 1", and that RuntimeError on stderr.
"""

import multiprocessing
import os

ctx = multiprocessing.get_context("forkserver")


def work():
    print(f"work ran in pid: {os.getpid()}", flush=True)


print(f"module body run as: {__name__}", flush=True)
p = ctx.Process(target=work)  # BUG: no `if __name__ == "__main__":` guard
p.start()
p.join()
print(f"child exitcode: {p.exitcode}", flush=True)
