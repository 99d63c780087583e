# witness: runs clean
# witness: prints "result: 42"
# witness: prints "child exitcode: 0"
# witness: start-method spawn
"""MPL504 thread-queue-across-processes, fixed: a `multiprocessing` queue from the context.

Expected output:
    result: 42
    child exitcode: 0
"""

import multiprocessing


def produce(results):
    results.put(42)


if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    p = ctx.Process(target=produce, args=(results,))
    p.start()
    print(f"result: {results.get(timeout=10)}", flush=True)
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
