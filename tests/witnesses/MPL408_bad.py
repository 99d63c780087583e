# witness: start-method spawn
# witness: exits 0
# witness: stderr has "FileNotFoundError: [Errno 2] No such file or directory"
# witness: prints nothing
# witness: reported 1 times
"""MPL408 unjoined-process-with-primitive: the documentation's Lock example, under spawn.

Ten processes get the parent's lock and are never joined; the parent ends right after starting
them. Its exit handler unlinks the lock's semaphore before it joins the children, and each child,
still unpickling its arguments, dies in SemLock.__setstate__.

Expected: exit status 0, no "hello world" line at all, FileNotFoundError on stderr.
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
    for num in range(10):
        Process(target=f, args=(lock, num)).start()  # BUG: never joined
