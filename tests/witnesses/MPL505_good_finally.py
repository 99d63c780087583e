# witness: runs clean
# witness: prints "handled: [0, 1]"
"""MPL505 joinablequeue-task-done-mismatch, fixed: `task_done()` only for a job taken.

Expected output:
    handled: [0, 1]
"""

import multiprocessing
import queue


def produce(jobs):
    for job in range(2):
        jobs.put(job)


if __name__ == "__main__":
    jobs = multiprocessing.JoinableQueue()
    p = multiprocessing.Process(target=produce, args=(jobs,))
    p.start()
    handled = []
    while True:
        try:
            job = jobs.get(timeout=0.5)
        except queue.Empty:
            break
        try:
            handled.append(job)
        finally:
            jobs.task_done()
    print(f"handled: {handled}", flush=True)
    p.join()
