# witness: exits 0
# witness: value "namespace data" = "[]"
# witness: stderr empty
"""MPL403 manager-nested-mutation: appending to a list held by a Manager Namespace is lost.

`ns.data` returns a copy of the stored list; `ns.data.append(1)` changes the copy.

Expected output:
    namespace data: []
"""

import multiprocessing as mp


def work(ns):
    ns.data.append(1)  # BUG: appends to a copy


if __name__ == "__main__":
    with mp.Manager() as manager:
        ns = manager.Namespace()
        ns.data = []
        p = mp.Process(target=work, args=(ns,))
        p.start()
        p.join()
        print(f"namespace data: {ns.data}", flush=True)
