# witness: runs clean
# witness: prints "items: [1]"
"""MPL406 fixed: read the list before shutting the manager down.

Expected output:
    items: [1]
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
    result = list(items)
    manager.shutdown()
    print(f"items: {result}", flush=True)
