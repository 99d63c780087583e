# witness: exits 1
# witness: stderr matches "_pickle\.PicklingError: Can't pickle <function <lambda> at 0x.*: attribute lookup <lambda> on __main__ failed"
# witness: never prints "work ran"
"""MPL203 unpicklable-callable: a lambda as a Process target, under spawn.

Spawn pickles the Process object in the parent; p.start() raises

    _pickle.PicklingError: Can't pickle <function <lambda> at 0x...>: attribute lookup <lambda> on __main__ failed

Expected: the script dies with that error; "work ran" never printed.
"""

import multiprocessing as mp

if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    child = ctx.Process(target=lambda: print("work ran", flush=True))  # BUG
    child.start()
    child.join()
    print(f"child exitcode: {child.exitcode}", flush=True)
