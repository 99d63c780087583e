# witness: runs clean
# witness: prints "module body run as: __main__"
# witness: prints "child exitcode: 0"
# witness: values "module body run as" = "__main__"
# witness: start-method forkserver
"""MPL201 fixed: under forkserver, the Process is started under a `__main__` guard.

Expected output: "module body run as: __main__" once, "work ran in pid: ...",
"child exitcode: 0"; exit status 0 and nothing on stderr.
"""

import multiprocessing
import os

ctx = multiprocessing.get_context("forkserver")


def work():
    print(f"work ran in pid: {os.getpid()}", flush=True)


if __name__ == "__main__":
    print(f"module body run as: {__name__}", flush=True)
    p = ctx.Process(target=work)
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
