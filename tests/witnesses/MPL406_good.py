# witness: runs clean
# witness: prints "inside: {'a': 1}"
# witness: prints "after: {'a': 1, 'b': 2}"
"""MPL406 fixed: copy the data out of the proxy while the manager is still running.

Expected output:
    inside: {'a': 1}
    after: {'a': 1, 'b': 2}
"""

import multiprocessing as mp


def fill(shared):
    shared["a"] = 1


if __name__ == "__main__":
    with mp.Manager() as manager:
        shared = manager.dict()
        p = mp.Process(target=fill, args=(shared,))
        p.start()
        p.join()
        print(f"inside: {shared.copy()}", flush=True)
        shared = dict(shared)
    shared["b"] = 2
    print(f"after: {shared}", flush=True)
