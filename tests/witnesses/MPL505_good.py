# witness: runs clean
# witness: prints "handled: 0"
# witness: prints "handled: 1"
# witness: prints "handled: 2"
# witness: prints "all jobs done"
"""MPL505 joinablequeue-task-done-mismatch, fixed: `task_done()` after each job.

Expected output (the "handled" lines first):
    handled: 0
    handled: 1
    handled: 2
    all jobs done
"""

import multiprocessing


def consume(jobs):
    while True:
        job = jobs.get()
        try:
            print(f"handled: {job}", flush=True)
        finally:
            jobs.task_done()


if __name__ == "__main__":
    jobs = multiprocessing.JoinableQueue()
    c = multiprocessing.Process(target=consume, args=(jobs,), daemon=True)
    c.start()
    for job in range(3):
        jobs.put(job)
    jobs.join()
    print("all jobs done", flush=True)
