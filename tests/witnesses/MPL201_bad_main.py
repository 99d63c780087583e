# witness: hangs
# witness: no value "result"
# witness: stderr contains "An attempt has been made to start a new process before the"
# witness: stderr repeats "current process has finished its bootstrapping phase."
# witness: start-method spawn
"""MPL201 missing-main-guard: the common shape, a bare `main()` call at the end.

main() creates a Pool; the trailing `main()` call is not guarded, so under spawn every
worker re-imports this file as `__mp_main__`, calls main() again, tries to create a
Pool while still bootstrapping, and dies with

    RuntimeError: An attempt has been made to start a new process before the
    current process has finished its bootstrapping phase.

The parent's Pool keeps replacing the dead workers, forever, so the program HANGS
(it has to be killed) and "result" is never printed.
"""

import multiprocessing


def square(x):
    return x * x


def main():
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        print(f"result: {pool.map(square, range(4))}", flush=True)


main()  # BUG: should be `if __name__ == "__main__":` + `main()`
