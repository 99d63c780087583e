# witness: exits 0
# witness: value "child exitcode" = "1"
# witness: stderr matches "AttributeError: Can't get attribute 'work' on <module '__mp_main__' from '.*MPL204_bad\.py'>"
# witness: never prints "work ran"
"""MPL204 worker-defined-under-main-guard: a Process target defined under the guard, spawn.

The spawned child re-imports this script as __mp_main__ without running the guarded
block, so unpickling the target fails in the child:

    AttributeError: Can't get attribute 'work' on <module '__mp_main__' from '.../MPL204_bad.py'>

Expected: "child exitcode: 1", that error on stderr, "work ran" never printed.
"""

import multiprocessing as mp

if __name__ == "__main__":

    def work():  # BUG: only exists when run as a script
        print("work ran", flush=True)

    ctx = mp.get_context("spawn")
    child = ctx.Process(target=work)
    child.start()
    child.join()
    print(f"child exitcode: {child.exitcode}", flush=True)
