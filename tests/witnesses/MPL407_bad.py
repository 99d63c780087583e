# witness: exits 0
# witness: value "child exitcode" = "1"
# witness: stderr has "FileNotFoundError: [Errno 2] No such file or directory"
# witness: stderr contains "in __setstate__"
# witness: never prints "child got the lock"
# witness: start-method spawn
"""MPL407 temporary-shared-object-argument: a Lock created inline in `args=` dies too early.

`Process.start()` drops its reference to `args` once the child is launched. Nothing else
in the parent refers to the inline `ctx.Lock()`, so it is garbage-collected, which
unlinks its named semaphore, before the spawned child has unpickled its copy: the child
dies in `SemLock.__setstate__` with
`FileNotFoundError: [Errno 2] No such file or directory`.

Expected output:
    child exitcode: 1
    (stderr) FileNotFoundError: [Errno 2] No such file or directory
"""

import multiprocessing as mp


def work(lock):
    with lock:
        print("child got the lock", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    p = ctx.Process(target=work, args=(ctx.Lock(),))  # BUG: nothing keeps the lock alive
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
