# witness: runs clean
# witness: prints "jobs done: 4"
# witness: within 3 seconds
"""MPL301 fixed: the fire-and-forget jobs are waited for with `close()` and `join()`
at the end of the `with Pool()` block.

Expected output: "jobs done: 4"; exit status 0.
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
                pool.apply_async(record, (directory, job), error_callback=print)
            pool.close()
            pool.join()
        print(f"jobs done: {len(os.listdir(directory))}", flush=True)
