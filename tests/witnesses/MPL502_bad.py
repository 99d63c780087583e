# witness: dies "AttributeError: 'function' object has no attribute 'Empty'"
# witness: stderr contains "_queue.Empty"
# witness: stderr contains "During handling of the above exception"
"""MPL502 queue-exception-mismatch: `except Queue.Empty` where Queue is multiprocessing's.

`multiprocessing.Queue` is a function; it has no `Empty` attribute. The `except`
expression is only evaluated when `get(timeout=...)` raises `_queue.Empty`, and then
it fails itself:

    AttributeError: 'function' object has no attribute 'Empty'

(printed after "During handling of the above exception, another exception occurred:").
"""

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
        except Queue.Empty:  # BUG: the exception lives in the queue module
            break
    p.join()
    print(f"received: {received}", flush=True)
