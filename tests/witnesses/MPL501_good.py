# witness: runs clean
# witness: prints "received: 1000000"
# witness: prints "child exitcode: 0"
"""MPL501 join-blocked-by-queue, fixed: the parent reads the result, then joins.

Expected output:
    received: 1000000
    child exitcode: 0
"""

import multiprocessing


def produce(results):
    results.put("x" * 1_000_000)


if __name__ == "__main__":
    results = multiprocessing.Queue()
    p = multiprocessing.Process(target=produce, args=(results,))
    p.start()
    print(f"received: {len(results.get())}", flush=True)
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
