# witness: exits 0
# witness: prints exactly "received 2000000"
"""MPL501 join-blocked-by-queue, corrected: the parent reads every child's result first, then
`join_all(procs)` joins children that have already flushed their data.
"""

import multiprocessing


def produce(results):
    results.put("x" * 1_000_000)


def join_all(procs):
    for p in procs:
        p.join()


if __name__ == "__main__":
    results = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=produce, args=(results,)) for _ in range(2)]
    for p in procs:
        p.start()
    total = sum(len(results.get()) for _ in procs)
    join_all(procs)
    print(f"received {total}", flush=True)
