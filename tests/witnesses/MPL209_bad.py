# witness: notebook
# witness: exits 0
# witness: value "exitcode" = "1"
# witness: never prints "child ran"
# witness: stderr has "AttributeError: Can't get attribute 'work' on <module '__main__' (built-in)>"
"""MPL209 notebook-defined-worker: a Process target defined in a notebook, spawn.

Run as a notebook's cells (in __main__, without __file__). The spawned child has a __main__ of its
own with nothing to define `work` in it: unpickling the target fails with AttributeError, the child
exits with status 1 and the parent carries on.
"""

import multiprocessing as mp


def work():
    print("child ran", flush=True)


process = mp.get_context("spawn").Process(target=work)
process.start()
process.join()
print(f"exitcode: {process.exitcode}")
