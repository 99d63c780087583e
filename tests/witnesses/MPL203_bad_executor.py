# witness: exits 1
# witness: stderr has "AttributeError: Can't pickle local object 'main.<locals>.shift'" or "AttributeError: Can't get local object 'main.<locals>.shift'"
"""MPL203 unpicklable-callable: a local function submitted to a ProcessPoolExecutor.

Expected: the script dies with
    AttributeError: Can't pickle local object 'main.<locals>.shift'
raised by Future.result().
"""

from concurrent.futures import ProcessPoolExecutor


def main(offset):
    def shift(x):
        return x + offset

    with ProcessPoolExecutor(max_workers=2) as executor:
        print(f"result: {executor.submit(shift, 1).result()}", flush=True)  # BUG


if __name__ == "__main__":
    main(10)
