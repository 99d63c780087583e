# witness: runs clean
# witness: value "every result waited" = "more than 1.5 s"
"""MPL305 blocking-callback: each result's callback runs another program.

Four tasks that return at once; the callback of each runs a program that takes 0.5 s.
Every callback runs in the pool's single result-handler thread, and a result is ready only
after its callback has run: whatever order the results come back in, the last of them is
ready only after all four callbacks, one after another (2 s), although every task
finished long ago.

Expected: "every result waited: more than 1.5 s".
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
        for handle in handles:
            handle.get()
        waited = time.monotonic() - began
        pool.close()
        pool.join()
    print("every result waited:", "more than 1.5 s" if waited > 1.5 else "less than 1.5 s", flush=True)
