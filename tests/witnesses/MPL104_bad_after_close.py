# witness: dies "ValueError: process object is closed"
# witness: prints exactly "closed"
"""MPL104 process-lifecycle-order: the process is used after `close()`.

Reading `exitcode` of a closed process fails in multiprocessing/process.py,
BaseProcess._check_closed:

    ValueError: process object is closed

Expected: "closed" on stdout, then that traceback (exit status 1).
"""

import multiprocessing


def work():
    pass


if __name__ == "__main__":
    p = multiprocessing.Process(target=work)
    p.start()
    p.join()
    p.close()
    print("closed", flush=True)
    print(f"child exitcode: {p.exitcode}", flush=True)  # BUG: after close()
