# witness: runs clean
# witness: prints "result: 11"
"""MPL203 unpicklable-callable, fixed: a module-level function and its argument.

Expected: "result: 11".
"""

from concurrent.futures import ProcessPoolExecutor


def shift(x, offset):
    return x + offset


def main(offset):
    with ProcessPoolExecutor(max_workers=2) as executor:
        print(f"result: {executor.submit(shift, 1, offset).result()}", flush=True)


if __name__ == "__main__":
    main(10)
