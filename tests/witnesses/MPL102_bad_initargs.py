# witness: dies "concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending."
# witness: stderr contains "TypeError: __main__.init() argument after * must be an iterable, not int"
# witness: no value "result"
"""MPL102 args-not-a-tuple: `ProcessPoolExecutor(initializer=init, initargs=(5))`.

Every worker dies in `initializer(*initargs)` (TypeError: ... argument after * must be an
iterable, not int, printed by the worker), and the executor breaks; the future fails with

    concurrent.futures.process.BrokenProcessPool: A process in the process pool was
    terminated abruptly while the future was running or pending.

Expected: the script dies with that traceback (exit status 1); no result is printed.
"""

import concurrent.futures


def init(level):
    print(f"initialized: {level}", flush=True)


def square(x):
    return x * x


if __name__ == "__main__":
    with concurrent.futures.ProcessPoolExecutor(1, initializer=init, initargs=(5)) as ex:  # BUG
        print(f"result: {ex.submit(square, 3).result(timeout=10)}", flush=True)
