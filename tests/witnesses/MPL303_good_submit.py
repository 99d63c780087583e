# witness: runs clean
# witness: prints "job 3 failed: ValueError('bad job 3')"
# witness: prints "finished"
# witness: within 3 seconds
"""MPL303 fixed: the futures are kept and `result()` re-raises the worker's exception.

Expected output: "job 3 failed: ValueError('bad job 3')" and "finished"; exit status 0.
"""

from concurrent.futures import ProcessPoolExecutor


def process(job):
    if job == 3:
        raise ValueError(f"bad job {job}")
    return job


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(process, job): job for job in range(5)}
    for future, job in futures.items():
        try:
            future.result()
        except ValueError as error:
            print(f"job {job} failed: {error!r}", flush=True)
    print("finished", flush=True)
