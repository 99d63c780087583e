# witness: dies "FileNotFoundError: [Errno 2] No such file or directory"
# witness: no value "items"
"""MPL406 manager-used-after-shutdown: a list proxy used after `manager.shutdown()`.

The proxy had not talked to the server from this process yet, so the failure is a
connection to a socket that no longer exists:
`FileNotFoundError: [Errno 2] No such file or directory`.

Expected output (stderr):
    FileNotFoundError: [Errno 2] No such file or directory
"""

import multiprocessing as mp


def fill(items):
    items.append(1)


if __name__ == "__main__":
    manager = mp.Manager()
    items = manager.list()
    p = mp.Process(target=fill, args=(items,))
    p.start()
    p.join()
    manager.shutdown()
    print(f"items: {list(items)}", flush=True)  # BUG: the manager is gone
