# witness: dies "TypeError: cannot pickle '_thread.lock' object"
# witness: no value "result"
# witness: start-method spawn
"""MPL504 thread-queue-across-processes: a `queue.Queue` given to a spawned Process.

Under spawn (and forkserver) the Process object is pickled by `p.start()`, and a
`queue.Queue` holds thread locks:

    TypeError: cannot pickle '_thread.lock' object
"""

import multiprocessing
import queue


def produce(results):
    results.put(42)


if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    results = queue.Queue()  # BUG: a queue for threads, not processes
    p = ctx.Process(target=produce, args=(results,))
    p.start()
    p.join()
    print(f"result: {results.get(timeout=2)}", flush=True)
