# witness: dies "ValueError: Cannot close a process while it is still running. You should first call join() or terminate()."
# witness: never prints "closed"
"""MPL104 process-lifecycle-order: `close()` right after `start()`, while the child runs.

`close()` fails in the parent, in multiprocessing/process.py, BaseProcess.close:

    ValueError: Cannot close a process while it is still running. You should first call join() or terminate().

Expected: the script dies with that traceback (exit status 1).
"""

import multiprocessing
import time


def work():
    time.sleep(1)


if __name__ == "__main__":
    p = multiprocessing.Process(target=work)
    p.start()
    p.close()  # BUG: the child is still running
    print("closed", flush=True)
