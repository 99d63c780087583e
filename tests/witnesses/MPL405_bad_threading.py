# witness: dies "TypeError: cannot pickle '_thread.lock' object"
# witness: never prints "in the child"
# witness: start-method spawn
"""MPL405 lock-not-shared: a threading.Lock cannot be handed to a spawned process.

`Process.start()` pickles the arguments for the spawned child, and a `threading.Lock`
does not pickle: the parent dies with
`TypeError: cannot pickle '_thread.lock' object`.

Expected output (stderr):
    TypeError: cannot pickle '_thread.lock' object
"""

import multiprocessing as mp
import threading


def work(lock):
    with lock:
        print("in the child", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    lock = threading.Lock()  # BUG: only works between threads of one process
    p = ctx.Process(target=work, args=(lock,))
    p.start()
    p.join()
