# witness: exits 0
# witness: prints exactly "all jobs submitted" "finished"
# witness: stderr empty
# witness: never prints "failed"
"""MPL303 unchecked-async-result: the `AsyncResult` of `apply_async` is dropped.

Job 3 raises `ValueError` in its worker. The exception is stored on the result
(`multiprocessing/pool.py` `ApplyResult._set`) and only re-raised by `get()`, which
nobody calls: the program reports success. Expected: "all jobs submitted" and
"finished", exit status 0, nothing on stderr: the failure is silently lost.
"""

import multiprocessing


def process(job):
    if job == 3:
        raise ValueError(f"bad job {job}")
    return job


if __name__ == "__main__":
    pool = multiprocessing.Pool(2)
    for job in range(5):
        pool.apply_async(process, (job,))  # BUG: the result (and its error) is dropped
    print("all jobs submitted", flush=True)
    pool.close()
    pool.join()
    print("finished", flush=True)
