# witness: exits 0
# witness: value "results" = "[]"
# witness: stderr empty
"""MPL404 child-state-not-propagated: the children append to their own copies of a global list.

Four processes each run `results.append(i * i)` on a module global. Every child has its
own copy of the module's memory, so the parent's list does not change: after joining all
of them it is still empty.

Expected output:
    results: []
"""

import multiprocessing as mp

results = []


def work(i):
    results.append(i * i)  # BUG: changes the child's copy only


if __name__ == "__main__":
    procs = [mp.Process(target=work, args=(i,)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(f"results: {results}", flush=True)
