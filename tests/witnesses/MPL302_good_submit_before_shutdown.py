# witness: runs clean
# witness: prints "first: 4"
# witness: prints "second: 9"
"""MPL302 fixed: all work is submitted to the executor before `shutdown()`.

Expected output: "first: 4" and "second: 9"; exit status 0 and nothing on stderr.
"""

from concurrent.futures import ProcessPoolExecutor


def square(x):
    return x * x


if __name__ == "__main__":
    executor = ProcessPoolExecutor(max_workers=2)
    print(f"first: {executor.submit(square, 2).result(timeout=10)}", flush=True)
    second = executor.submit(square, 3)
    executor.shutdown()
    print(f"second: {second.result(timeout=10)}", flush=True)
