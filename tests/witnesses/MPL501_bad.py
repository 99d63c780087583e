# witness: hangs
# witness: stderr lacks "Traceback"
# witness: prints exactly "started child"
"""MPL501 join-blocked-by-queue: the parent joins a child before reading what it put.

The child puts one 1,000,000-character string into a multiprocessing Queue. Its feeder
thread writes it into the pipe, which holds about 64 KiB, and the child cannot exit
before that thread is done (`Queue._finalize_join`). The parent waits in `p.join()`
instead of reading: neither side can proceed and the program HANGS (it is killed;
"received" is never printed).
"""

import multiprocessing


def produce(results):
    results.put("x" * 1_000_000)


if __name__ == "__main__":
    results = multiprocessing.Queue()
    p = multiprocessing.Process(target=produce, args=(results,))
    p.start()
    print("started child", flush=True)
    p.join()  # BUG: the child cannot exit until `results` is drained
    print(f"received: {len(results.get())}", flush=True)
