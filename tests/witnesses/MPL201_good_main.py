# witness: runs clean
# witness: prints "result: [0, 1, 4, 9]"
# witness: start-method spawn
"""MPL201 fixed: the `main()` call is under an `if __name__ == "__main__":` guard.

Expected output: "result: [0, 1, 4, 9]"; exit status 0 and nothing on stderr.
"""

import multiprocessing


def square(x):
    return x * x


def main():
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        print(f"result: {pool.map(square, range(4))}", flush=True)


if __name__ == "__main__":
    main()
