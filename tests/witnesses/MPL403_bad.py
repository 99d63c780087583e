# witness: exits 0
# witness: value "items" = "[]"
# witness: stderr empty
"""MPL403 manager-nested-mutation: appending to a list read out of a Manager dict is lost.

The child runs `shared["items"].append(1)`. Reading `shared["items"]` sends the stored
list to the child as a copy; the append changes only that copy. The parent still sees
the empty list afterwards. No error is raised.

Expected output:
    items: []
"""

import multiprocessing as mp


def work(shared):
    shared["items"].append(1)  # BUG: appends to a copy


if __name__ == "__main__":
    with mp.Manager() as manager:
        shared = manager.dict({"items": []})
        p = mp.Process(target=work, args=(shared,))
        p.start()
        p.join()
        print(f"items: {shared['items']}", flush=True)
