# witness: dies "AssertionError: process has already started"
# witness: prints exactly "started child"
"""MPL105 daemon-set-after-start: `daemon` is assigned after `start()`.

The daemon flag must be set before the process starts. Assigning it afterwards
fails in the parent, in the `daemon` setter of multiprocessing/process.py, with

    AssertionError: process has already started

Expected: "started child" on stdout, then the script dies with that traceback on
stderr (exit status 1). The child itself still runs to completion.
"""

import multiprocessing
import time


def work():
    time.sleep(0.1)


if __name__ == "__main__":
    p = multiprocessing.Process(target=work)
    p.start()
    print("started child", flush=True)
    p.daemon = True  # BUG: too late, the process is already running
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
