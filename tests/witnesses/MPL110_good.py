# witness: runs clean
# witness: value "finished" = "4 of 4"
"""MPL110 fixed: keep every started process and join them all.

Expected: "finished: 4 of 4".
"""

import multiprocessing
import time


def job(index, finished):
    time.sleep((3 - index) * 0.5)
    with finished.get_lock():
        finished.value += 1


if __name__ == "__main__":
    finished = multiprocessing.Value("i", 0)
    started = []
    for index in range(4):
        p = multiprocessing.Process(target=job, args=(index, finished))
        p.start()
        started.append(p)
    for p in started:
        p.join()
    print(f"finished: {finished.value} of 4", flush=True)
