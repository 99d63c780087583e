# witness: dies "RuntimeError: cannot schedule new futures after shutdown"
# witness: value "first" = "4"
# witness: no value "second"
"""MPL302 pool-lifecycle-order: an executor is used after its `with` block ended.

Leaving the `with` block calls `shutdown()`, so a later submit fails in
concurrent/futures/process.py ProcessPoolExecutor.submit with

    RuntimeError: cannot schedule new futures after shutdown

Expected: "first: 4" is printed, then the script dies with that traceback on
stderr (exit status 1).
"""

from concurrent.futures import ProcessPoolExecutor


def square(x):
    return x * x


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as executor:
        print(f"first: {executor.submit(square, 2).result(timeout=10)}", flush=True)
    second = executor.submit(square, 3)  # BUG: the `with` block already shut it down
    print(f"second: {second.result(timeout=10)}", flush=True)
