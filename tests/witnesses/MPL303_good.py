# witness: runs clean
# witness: prints "all jobs submitted"
# witness: prints "job 3 failed: ValueError('bad job 3')"
# witness: prints "finished"
# witness: within 3 seconds
"""MPL303 fixed: the handles are kept and `get()` re-raises the worker's exception.

Expected output: "all jobs submitted", "job 3 failed: ValueError('bad job 3')" and
"finished"; exit status 0.
"""

import multiprocessing


def process(job):
    if job == 3:
        raise ValueError(f"bad job {job}")
    return job


if __name__ == "__main__":
    pool = multiprocessing.Pool(2)
    handles = [pool.apply_async(process, (job,)) for job in range(5)]
    print("all jobs submitted", flush=True)
    pool.close()
    pool.join()
    for job, handle in enumerate(handles):
        try:
            handle.get()
        except ValueError as error:
            print(f"job {job} failed: {error!r}", flush=True)
    print("finished", flush=True)
