# witness: runs clean
# witness: prints "failed: ValueError('not a text file: b.csv')"
# witness: within 3 seconds
"""MPL309 fixed: the executor task raises an ordinary exception, re-raised by the
result iterator in the parent.

Expected output: "failed: ValueError('not a text file: b.csv')"; exit status 0.
"""

from concurrent.futures import ProcessPoolExecutor


def parse(path):
    if not path.endswith(".txt"):
        raise ValueError(f"not a text file: {path}")
    return len(path)


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as executor:
        try:
            print(f"results: {list(executor.map(parse, ['a.txt', 'b.csv', 'c.txt']))}", flush=True)
        except ValueError as error:
            print(f"failed: {error!r}", flush=True)
