# witness: exits 0
# witness: value "counter" = "0"
# witness: stderr empty
"""MPL404 child-state-not-propagated: `global counter; counter += 1` in the children.

Expected output:
    counter: 0
"""

import multiprocessing as mp

counter = 0


def work():
    global counter
    counter += 1  # BUG: rebinds the child's global only


if __name__ == "__main__":
    procs = [mp.Process(target=work) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(f"counter: {counter}", flush=True)
