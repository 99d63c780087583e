# witness: dies "ValueError: task_done() called too many times"
# witness: no value "handled"
"""MPL505 joinablequeue-task-done-mismatch: `task_done()` in a `finally` around `get(timeout=...)`.

After the two jobs the producer sent, `get(timeout=0.5)` raises `queue.Empty`; the
`finally` still calls `task_done()` for a job that was never taken, and
`JoinableQueue.task_done` raises

    ValueError: task_done() called too many times
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
            handled.append(jobs.get(timeout=0.5))
        except queue.Empty:
            break
        finally:
            jobs.task_done()  # BUG: also runs when get() raised queue.Empty
    print(f"handled: {handled}", flush=True)
    p.join()
