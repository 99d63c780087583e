# witness: runs clean
# witness: prints "failed: ValueError('not a text file: b.csv')"
# witness: within 3 seconds
"""MPL309 fixed: the task raises an ordinary exception, which `pool.map` re-raises in
the parent.

Expected output: "failed: ValueError('not a text file: b.csv')"; exit status 0.
"""

import multiprocessing


def parse(path):
    if not path.endswith(".txt"):
        raise ValueError(f"not a text file: {path}")
    return len(path)


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        try:
            print(f"results: {pool.map(parse, ['a.txt', 'b.csv', 'c.txt'])}", flush=True)
        except ValueError as error:
            print(f"failed: {error!r}", flush=True)
