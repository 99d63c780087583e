# witness: hangs
# witness: stderr lacks "Traceback"
# witness: prints exactly "started 2 children"
"""MPL501 join-blocked-by-queue: a helper joins the children before the parent reads what they put.

Each child puts one 1,000,000-character string into the same multiprocessing Queue and
cannot exit before its feeder thread has written it into the pipe (about 64 KiB). The
parent calls `join_all(procs)`, which waits in `p.join()` for the first child instead of
reading: the program HANGS ("received" is never printed).
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
    print(f"started {len(procs)} children", flush=True)
    join_all(procs)  # BUG: the children cannot exit before their data is read
    print(f"received {sum(len(results.get()) for _ in procs)}", flush=True)
