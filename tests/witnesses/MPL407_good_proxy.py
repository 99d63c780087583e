# witness: runs clean
# witness: prints "result: done"
"""MPL407 fixed: the proxy is bound to a name that lives while the task runs.

Expected output:
    result: done
"""

import multiprocessing as mp


def work(lock):
    with lock:
        return "done"


if __name__ == "__main__":
    with mp.Manager() as manager, mp.Pool(1) as pool:
        lock = manager.Lock()
        result = pool.apply_async(work, (lock,))
        print(f"result: {result.get(timeout=10)}", flush=True)
