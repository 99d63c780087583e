# witness: dies "queue.Full"
# witness: no value "dropped"
"""MPL502 queue-exception-mismatch: `put_nowait()` on a full queue, guarded by `queue.Empty`.

`multiprocessing.Queue.put` raises `queue.Full` on a full queue, never `queue.Empty`:
the handler does not match and the program dies with the traceback ending in

    queue.Full
"""

import multiprocessing
import queue

if __name__ == "__main__":
    jobs = multiprocessing.Queue(maxsize=1)
    dropped = 0
    for job in range(2):
        try:
            jobs.put_nowait(job)
        except queue.Empty:  # BUG: put raises queue.Full
            dropped += 1
    print(f"dropped: {dropped}", flush=True)
    print(f"first job: {jobs.get()}", flush=True)
