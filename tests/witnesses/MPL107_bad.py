# witness: exits 0
# witness: value "max concurrent" = "1"
"""MPL107 start-join-serialized: each process is joined before the next one starts.

Four jobs of 0.5 s each, started and joined in the same pass of the loop: they run one
at a time. Each child records how many jobs were running when it started and ended.

Expected: "max concurrent: 1" and an elapsed time of at least 2 s (4 x 0.5 s).
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
    for chunk in range(4):
        p = multiprocessing.Process(target=job, args=(chunk, running, lock, peak))
        p.start()
        p.join()  # BUG: waits before the next process starts
    print(f"max concurrent: {peak.value}", flush=True)
    print(f"elapsed: {time.monotonic() - began:.2f}", flush=True)
