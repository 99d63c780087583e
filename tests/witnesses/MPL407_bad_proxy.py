# witness: exits 0
# witness: value "timed out" = "True"
# witness: stderr has "multiprocessing.managers.RemoteError: "
# witness: stderr contains "KeyError: '"
"""MPL407 temporary-shared-object-argument: a Manager proxy created inline for a pool task.

The task's arguments are dropped once they are sent to a worker; the inline
`manager.Lock()` proxy is then collected and the manager frees the lock. When the
worker unpickles its own proxy, the manager no longer knows the object (`KeyError` in
the manager's server), the task fails, and `get()` waits in vain (here: 3 s, then
`multiprocessing.context.TimeoutError`; without a timeout it hangs). Any start method.

Expected output:
    timed out: True
"""

import multiprocessing as mp


def work(lock):
    with lock:
        return "done"


if __name__ == "__main__":
    with mp.Manager() as manager, mp.Pool(1) as pool:
        result = pool.apply_async(work, (manager.Lock(),))  # BUG: the proxy is a temporary
        try:
            print(f"result: {result.get(timeout=3)}", flush=True)
        except mp.TimeoutError:
            print("timed out: True", flush=True)
