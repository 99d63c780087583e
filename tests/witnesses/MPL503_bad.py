# witness: exits 0
# witness: value "items drained" = "0"
# witness: value "left in the queue" = "[0, 1, 2]"
"""MPL503 unreliable-queue-introspection: `while not q.empty()` drains while producers run.

The producer needs a moment before its first `put()`. The parent's drain loop asks
`results.empty()`, gets True, and stops at once: the three items are silently lost
to this loop ("items drained: 0"; they are still in the queue afterwards).
"""

import multiprocessing
import time


def produce(results):
    time.sleep(1.5)  # some work before the results are ready
    for i in range(3):
        results.put(i)


if __name__ == "__main__":
    results = multiprocessing.Queue()
    p = multiprocessing.Process(target=produce, args=(results,))
    p.start()
    drained = []
    while not results.empty():  # BUG: empty() says nothing about items still to come
        drained.append(results.get())
    print(f"items drained: {len(drained)}", flush=True)
    leftovers = [results.get() for _ in range(3)]
    print(f"left in the queue: {leftovers}", flush=True)
    p.join()
