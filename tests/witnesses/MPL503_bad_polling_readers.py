# witness: hangs after "took the item"
# witness: values "saw an item" = "yes" "yes"
"""MPL503 unreliable-queue-introspection: two polling readers share one queue.

Both readers poll `q.empty()` and see the one item; the first to call `q.get()` takes it, and
the other's `q.get()` then blocks for good (the sleep only widens the window that exists anyway
between `empty()` and `get()`). The parent's `join()` waits forever.
"""

import multiprocessing as mp
import time


def reader(q):
    while True:
        while not q.empty():
            print("saw an item: yes", flush=True)
            time.sleep(0.5)
            q.get()
            print("took the item", flush=True)
        time.sleep(0.01)


if __name__ == "__main__":
    q = mp.Queue()
    readers = [mp.Process(target=reader, args=(q,), daemon=True) for _ in range(2)]
    for r in readers:
        r.start()
    time.sleep(0.3)  # both readers are polling
    q.put("job")
    for r in readers:
        r.join()
