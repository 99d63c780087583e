# witness: exits 0
# witness: value "child exitcode" = "0"
# witness: stderr empty
"""MPL101 bad-process-target: the called target returns None, so the child does nothing.

`Process(target=work(21))` runs work(21) in the PARENT. work() returns None, so the
child gets `target=None` and BaseProcess.run silently skips it: no error at all,
the child exits with exitcode 0 without having done the work.

Expected output: "work ran in pid" shows the PARENT's pid (printed once, before the
child starts), "child exitcode: 0", and nothing on stderr.
"""

import multiprocessing
import os


def work(n):
    print(f"work ran in pid: {os.getpid()} with n={n}", flush=True)


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    p = multiprocessing.Process(target=work(21))  # BUG: should be target=work, args=(21,)
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
