# witness: dies "RuntimeError: cannot schedule new futures after shutdown"
# witness: value "first" = "4"
# witness: no value "second"
"""MPL302 pool-lifecycle-order: work is submitted to an executor after `shutdown()`.

concurrent/futures/process.py ProcessPoolExecutor.submit then fails with

    RuntimeError: cannot schedule new futures after shutdown

Expected: "first: 4" is printed, then the script dies with that traceback on
stderr (exit status 1).
"""

from concurrent.futures import ProcessPoolExecutor


def square(x):
    return x * x


if __name__ == "__main__":
    executor = ProcessPoolExecutor(max_workers=2)
    print(f"first: {executor.submit(square, 2).result(timeout=10)}", flush=True)
    executor.shutdown()
    second = executor.submit(square, 3)  # BUG: the executor is already shut down
    print(f"second: {second.result(timeout=10)}", flush=True)
