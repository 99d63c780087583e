# witness: runs clean
# witness: prints "module body run as: __main__"
# witness: prints "child exitcode: 0"
# witness: values "module body run as" = "__main__"
# witness: start-method spawn
"""MPL201 fixed: the Process is started under an `if __name__ == "__main__":` guard.

Under spawn the child re-imports this file as `__mp_main__`, skips the guarded block,
and runs work().

Expected output: "module body run as: __main__" once, "work ran in pid: ...",
"child exitcode: 0"; exit status 0 and nothing on stderr.
"""

import multiprocessing
import os

ctx = multiprocessing.get_context("spawn")


def work():
    print(f"work ran in pid: {os.getpid()}", flush=True)


if __name__ == "__main__":
    print(f"module body run as: {__name__}", flush=True)
    p = ctx.Process(target=work)
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
