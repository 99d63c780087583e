# witness: runs clean
# witness: prints "items: [1]"
"""MPL403 fixed: read the value, change it, and write it back (under a manager lock).

The assignment `shared["items"] = items` is a `__setitem__` call on the manager, so the
change arrives. The lock keeps two workers from overwriting each other's write-back.

Expected output:
    items: [1]
"""

import multiprocessing as mp


def work(shared, lock):
    with lock:
        items = shared["items"]
        items.append(1)
        shared["items"] = items


if __name__ == "__main__":
    with mp.Manager() as manager:
        shared = manager.dict({"items": []})
        lock = manager.Lock()
        p = mp.Process(target=work, args=(shared, lock))
        p.start()
        p.join()
        print(f"items: {shared['items']}", flush=True)
