# witness: hangs
# witness: stderr lacks "Traceback"
# witness: values "handled" = "0" "1" "2"
# witness: never prints "all jobs done"
"""MPL505 joinablequeue-task-done-mismatch: a consumer that never calls `task_done()`.

The daemonic consumer handles all three jobs, but `JoinableQueue.join()` waits for
one `task_done()` per job: the parent HANGS in `jobs.join()` ("all jobs done" is
never printed).
"""

import multiprocessing


def consume(jobs):
    while True:
        job = jobs.get()  # BUG: never matched by jobs.task_done()
        print(f"handled: {job}", flush=True)


if __name__ == "__main__":
    jobs = multiprocessing.JoinableQueue()
    c = multiprocessing.Process(target=consume, args=(jobs,), daemon=True)
    c.start()
    for job in range(3):
        jobs.put(job)
    jobs.join()
    print("all jobs done", flush=True)
