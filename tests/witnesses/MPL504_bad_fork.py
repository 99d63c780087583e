# witness: dies "_queue.Empty"
# witness: value "child exitcode" = "0"
# witness: no value "result"
# witness: start-method fork
"""MPL504 thread-queue-across-processes: a `queue.Queue` given to a forked Process.

Under fork the child gets its own copy of the queue: its `put(42)` never reaches the
parent, which waits two seconds in `get(timeout=2)` and dies with the traceback ending
in

    _queue.Empty
"""

import multiprocessing
import queue


def produce(results):
    results.put(42)


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    results = queue.Queue()  # BUG: the child writes to its own copy
    p = ctx.Process(target=produce, args=(results,))
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
    print(f"result: {results.get(timeout=2)}", flush=True)
