# witness: exits 0
# witness: value "child exitcode" = "1"
# witness: stderr has "FileNotFoundError: [Errno 2] No such file or directory"
# witness: stderr contains "in __setstate__"
# witness: never prints "child got the lock"
# witness: start-method spawn
"""MPL407 temporary-shared-object-argument: a Lock created inline in the call of a helper.

`launch()` hands its parameter to the child and returns without waiting for it. Once it
returns, nothing in the parent refers to the `ctx.Lock()` its caller made inline: the lock
is garbage-collected, its named semaphore unlinked, before the spawned child has unpickled
its copy, and the child dies in `SemLock.__setstate__` with
`FileNotFoundError: [Errno 2] No such file or directory`.

Expected output:
    child exitcode: 1
    (stderr) FileNotFoundError: [Errno 2] No such file or directory
"""

import multiprocessing as mp

ctx = mp.get_context("spawn")


def work(lock):
    with lock:
        print("child got the lock", flush=True)


def launch(lock):
    proc = ctx.Process(target=work, args=(lock,))
    proc.start()
    return proc


if __name__ == "__main__":
    p = launch(ctx.Lock())  # BUG: nothing keeps the lock alive once launch() returns
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
