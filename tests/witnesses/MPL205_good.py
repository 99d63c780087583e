# witness: runs clean
# witness: prints "result: 9"
"""MPL205 unpicklable-argument, fixed: the Lock reaches the workers through initargs.

Expected: "result: 9".
"""

import multiprocessing as mp


def init(shared_lock):
    global lock
    lock = shared_lock


def work(x):
    with lock:
        return x * x


def main():
    with mp.Pool(2, initializer=init, initargs=(mp.Lock(),)) as pool:
        print(f"result: {pool.apply_async(work, (3,)).get()}", flush=True)


if __name__ == "__main__":
    main()
