# witness: runs clean
# witness: prints "first: 4"
# witness: prints "second: 9"
"""MPL302 fixed: the executor is only used inside its `with` block.

Expected output: "first: 4" and "second: 9"; exit status 0 and nothing on stderr.
"""

from concurrent.futures import ProcessPoolExecutor


def square(x):
    return x * x


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as executor:
        print(f"first: {executor.submit(square, 2).result(timeout=10)}", flush=True)
        second = executor.submit(square, 3)
    print(f"second: {second.result(timeout=10)}", flush=True)
