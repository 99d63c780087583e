# witness: runs clean
# witness: prints "items drained: 3"
"""MPL503 unreliable-queue-introspection, fixed: the producer ends with a sentinel.

Expected output:
    items drained: 3
"""

import multiprocessing
import time


def produce(results):
    time.sleep(0.5)
    for i in range(3):
        results.put(i)
    results.put(None)


if __name__ == "__main__":
    results = multiprocessing.Queue()
    p = multiprocessing.Process(target=produce, args=(results,))
    p.start()
    drained = list(iter(results.get, None))
    print(f"items drained: {len(drained)}", flush=True)
    p.join()
