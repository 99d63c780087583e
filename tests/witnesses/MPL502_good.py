# witness: runs clean
# witness: prints "received: [0, 1]"
"""MPL502 queue-exception-mismatch, fixed: `except queue.Empty`.

Expected output:
    received: [0, 1]
"""

import queue
from multiprocessing import Process, Queue


def produce(results, n):
    for i in range(n):
        results.put(i)


if __name__ == "__main__":
    results = Queue()
    p = Process(target=produce, args=(results, 2))
    p.start()
    received = []
    while True:
        try:
            received.append(results.get(timeout=1))
        except queue.Empty:
            break
    p.join()
    print(f"received: {received}", flush=True)
