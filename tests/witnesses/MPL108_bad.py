# witness: exits 0
# witness: value "start method" = "fork"
# witness: value "lock acquired after terminate" = "False"
# witness: value "exitcode after join" = "-15"
# witness: start-method fork
"""MPL108 unsafe-terminate: a child is terminated while it holds a Lock, and not joined.

`terminate()` kills the child with SIGTERM: no `finally`/`with` cleanup runs in it, so
the multiprocessing Lock the child was holding stays acquired forever. A blocking
`lock.acquire()` in the parent would hang; here `lock.acquire(timeout=2)` shows it by
returning False. `terminate()` does not wait for the child either: as nobody joins
it, the dead child is left a zombie (state Z in /proc on Linux) and gets its exitcode
(-SIGTERM) only once it is reaped by `join()`.

The script forces the fork context: under forkserver (the default on Linux from Python
3.14) the child's parent is the fork server, which reaps it, and no zombie is seen.

Expected output:
    start method: fork
    lock acquired after terminate: False
    child state before join: Z        ("?" where there is no /proc)
    exitcode after join: -15
"""

import multiprocessing
import time


def hold_lock(lock, ready):
    with lock:
        ready.set()
        time.sleep(60)  # "work" done while holding the lock


def proc_state(pid):
    """The one-letter state of `pid` from /proc (Linux), or "?" elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "?"


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    lock = ctx.Lock()
    ready = ctx.Event()
    p = ctx.Process(target=hold_lock, args=(lock, ready))
    p.start()
    print(f"start method: {ctx.get_start_method()}", flush=True)
    if not ready.wait(timeout=10):
        raise SystemExit("child never took the lock")
    p.terminate()  # BUG: kills the lock holder, and is not followed by join()
    acquired = lock.acquire(timeout=2)
    print(f"lock acquired after terminate: {acquired}", flush=True)
    # Read the state from /proc, not via p.exitcode / p.is_alive(): those would reap it.
    print(f"child state before join: {proc_state(p.pid)}", flush=True)
    p.join()
    print(f"exitcode after join: {p.exitcode}", flush=True)
