# witness: exits 0
# witness: value "child exitcode" = "1"
# witness: stderr has "RuntimeError: context has already been set"
# witness: never prints "work ran"
"""MPL202 start-method-misconfigured: set_start_method("spawn") at import time.

The parent sets the method once and starts a child. The spawned child first sets the
parent's start method itself (multiprocessing/spawn.py prepare), then re-imports this
script as __mp_main__, which calls set_start_method() again and raises

    RuntimeError: context has already been set

Expected: "child exitcode: 1", the RuntimeError on stderr, "work ran" never printed.
"""

import multiprocessing as mp

mp.set_start_method("spawn")  # BUG: runs again in every spawned child


def work():
    print("work ran", flush=True)


if __name__ == "__main__":
    child = mp.Process(target=work)
    child.start()
    child.join()
    print(f"child exitcode: {child.exitcode}", flush=True)
