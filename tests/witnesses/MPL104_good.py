# witness: runs clean
# witness: prints "child exitcode: 0"
# witness: prints "closed"
"""MPL104 fixed: start, join, read the exit code, then close.

Expected output: "work ran in pid: <a child pid>", "child exitcode: 0", "closed".
"""

import multiprocessing
import os


def work():
    print(f"work ran in pid: {os.getpid()}", flush=True)


if __name__ == "__main__":
    print(f"parent pid: {os.getpid()}", flush=True)
    p = multiprocessing.Process(target=work)
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
    p.close()
    print("closed", flush=True)
