# witness: runs clean
# witness: value "every result waited" = "less than 1.5 s"
"""MPL305 fixed: the callback only records the value; the main thread runs the program.

Expected: "every result waited: less than 1.5 s".
"""

import subprocess
import sys
import time
from multiprocessing import Pool

PROGRAM = [sys.executable, "-c", "import time; time.sleep(0.5)"]
done = []


def render(x):
    return x


if __name__ == "__main__":
    with Pool(4) as pool:
        began = time.monotonic()
        handles = [pool.apply_async(render, (i,), callback=done.append) for i in range(4)]
        for handle in handles:
            handle.get()
        waited = time.monotonic() - began
        pool.close()
        pool.join()
    for value in done:
        subprocess.run(PROGRAM, check=True)
    print("every result waited:", "more than 1.5 s" if waited > 1.5 else "less than 1.5 s", flush=True)
