# witness: start-method spawn
# witness: runs clean
# witness: prints "hello world 0"
# witness: prints "hello world 9"
"""MPL408 fixed: the Lock example with every process joined, under spawn.

Expected: ten "hello world" lines and exit status 0.
"""

import multiprocessing
from multiprocessing import Lock, Process


def f(l, i):
    l.acquire()
    try:
        print("hello world", i, flush=True)
    finally:
        l.release()


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    lock = Lock()
    procs = [Process(target=f, args=(lock, num)) for num in range(10)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
