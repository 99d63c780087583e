# witness: exits 0
# witness: value "jobs done" = "0"
# witness: stderr empty
"""MPL301 pool-results-after-with: fire-and-forget `apply_async` calls inside `with Pool()`.

The block ends right after the tasks are queued; `Pool.__exit__` calls `terminate()`,
which kills the workers and discards the queued tasks. None of the four jobs
completes: the work is silently lost. Expected: "jobs done: 0" and exit status 0.
"""

import multiprocessing
import os
import tempfile
import time


def record(directory, job):
    time.sleep(0.3)
    with open(os.path.join(directory, f"job-{job}"), "w") as out:
        out.write("done")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory:
        with multiprocessing.Pool(2) as pool:
            for job in range(4):
                pool.apply_async(record, (directory, job))  # BUG: killed at the block's exit
        time.sleep(1.5)  # far longer than the jobs would take
        print(f"jobs done: {len(os.listdir(directory))}", flush=True)
