# witness: runs clean
# witness: prints "dropped: 1"
# witness: prints "first job: 0"
"""MPL502 queue-exception-mismatch, fixed: `put_nowait()` guarded by `queue.Full`.

Expected output:
    dropped: 1
    first job: 0
"""

import multiprocessing
import queue

if __name__ == "__main__":
    jobs = multiprocessing.Queue(maxsize=1)
    dropped = 0
    for job in range(2):
        try:
            jobs.put_nowait(job)
        except queue.Full:
            dropped += 1
    print(f"dropped: {dropped}", flush=True)
    print(f"first job: {jobs.get()}", flush=True)
