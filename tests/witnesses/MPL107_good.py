# witness: runs clean
"""MPL107 fixed: start every process, then join them all.

Expected: "max concurrent: " greater than 1 (the jobs overlap) and exit status 0.
"""

import multiprocessing
import time


def job(chunk, running, lock, peak):
    with lock:
        running.value += 1
        peak.value = max(peak.value, running.value)
    time.sleep(0.5)
    with lock:
        running.value -= 1


if __name__ == "__main__":
    lock = multiprocessing.Lock()
    running = multiprocessing.Value("i", 0, lock=False)
    peak = multiprocessing.Value("i", 0, lock=False)
    began = time.monotonic()
    started = []
    for chunk in range(4):
        p = multiprocessing.Process(target=job, args=(chunk, running, lock, peak))
        p.start()
        started.append(p)
    for p in started:
        p.join()
    print(f"max concurrent: {peak.value}", flush=True)
    print(f"elapsed: {time.monotonic() - began:.2f}", flush=True)
