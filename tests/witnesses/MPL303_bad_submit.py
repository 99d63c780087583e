# witness: exits 0
# witness: prints exactly "finished"
# witness: stderr empty
# witness: never prints "failed"
"""MPL303 unchecked-async-result: the `Future` returned by `executor.submit` is dropped.

Job 3 raises `ValueError` in its worker; `concurrent.futures` keeps the exception on
the `Future`, which nobody looks at. Expected: "finished", exit status 0, nothing on
stderr: the failure is silently lost.
"""

from concurrent.futures import ProcessPoolExecutor


def process(job):
    if job == 3:
        raise ValueError(f"bad job {job}")
    return job


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as executor:
        for job in range(5):
            executor.submit(process, job)  # BUG: the future (and its error) is dropped
    print("finished", flush=True)
