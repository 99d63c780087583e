# witness: runs clean
# witness: prints exactly "got 0" "got 1" "got 2"
"""MPL503 near miss: the queue's only reader drains it inside its endless polling loop.

Whenever `empty()` answers True too early (an item still in the producer's feeder thread), the
next pass of the outer loop takes the item: nothing is lost, and with one reader `get()` after a
False `empty()` never blocks.
"""

import multiprocessing as mp
import time


def reader(q, done):
    seen = 0
    while seen < 3:
        while not q.empty():
            print(f"got {q.get()}", flush=True)
            seen += 1
        time.sleep(0.01)
    done.set()


def produce(q):
    for i in range(3):
        time.sleep(0.1)
        q.put(i)


if __name__ == "__main__":
    q = mp.Queue()
    done = mp.Event()
    consumer = mp.Process(target=reader, args=(q, done))
    producer = mp.Process(target=produce, args=(q,))
    consumer.start()
    producer.start()
    producer.join()
    done.wait(10)
    consumer.join()
