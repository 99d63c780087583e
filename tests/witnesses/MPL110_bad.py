# witness: runs clean
# witness: value "finished" = "1 of 4"
"""MPL110 only-last-process-joined: only the process of the loop's last pass is joined.

Four jobs of uneven length; the last one started is the shortest. The parent joins the
variable the loop left behind and reads the count of finished jobs at once.

Expected: "finished: 1 of 4": the parent carries on while three jobs still run.
"""

import multiprocessing
import time


def job(index, finished):
    time.sleep((3 - index) * 0.5)
    with finished.get_lock():
        finished.value += 1


if __name__ == "__main__":
    finished = multiprocessing.Value("i", 0)
    for index in range(4):
        p = multiprocessing.Process(target=job, args=(index, finished))
        p.start()
    p.join()  # BUG: waits for the last process only
    print(f"finished: {finished.value} of 4", flush=True)
