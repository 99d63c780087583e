# witness: runs clean
# witness: prints "namespace data: [1]"
"""MPL403 fixed: store a nested proxy once; changes to it go to the manager.

Expected output:
    namespace data: [1]
"""

import multiprocessing as mp


def work(ns):
    ns.data.append(1)


if __name__ == "__main__":
    with mp.Manager() as manager:
        ns = manager.Namespace()
        ns.data = manager.list()
        p = mp.Process(target=work, args=(ns,))
        p.start()
        p.join()
        print(f"namespace data: {list(ns.data)}", flush=True)
