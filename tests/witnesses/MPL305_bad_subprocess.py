# witness: runs clean
# witness: value "last result waited" = "more than 1.5 s"
"""MPL305 blocking-callback: each result's callback runs another program.

Four tasks that return at once; the callback of each runs a program that takes 0.5 s.
Every callback runs in the pool's single result-handler thread, so the last result is
delivered only after the three callbacks before it: the main thread's get() waits for
them although every task finished long ago.

Expected: "last result waited: more than 1.5 s".
"""

import subprocess
import sys
import time
from multiprocessing import Pool

PROGRAM = [sys.executable, "-c", "import time; time.sleep(0.5)"]


def render(x):
    return x


def archive(value):
    subprocess.run(PROGRAM, check=True)  # BUG: blocks the result-handler thread


if __name__ == "__main__":
    with Pool(4) as pool:
        began = time.monotonic()
        handles = [pool.apply_async(render, (i,), callback=archive) for i in range(4)]
        handles[-1].get()
        waited = time.monotonic() - began
        pool.close()
        pool.join()
    print("last result waited:", "more than 1.5 s" if waited > 1.5 else "less than 1.5 s", flush=True)
