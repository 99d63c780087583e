# witness: dies "RuntimeError: Lock objects should only be shared between processes through inheritance"
# witness: no value "result"
"""MPL205 unpicklable-argument: a multiprocessing Lock passed as a Pool task argument.

Pool tasks are pickled, and a Lock refuses to be pickled outside of spawning
(multiprocessing/context.py assert_spawning). get() re-raises:

    RuntimeError: Lock objects should only be shared between processes through inheritance

Expected: the script dies with that RuntimeError; no result is printed.
"""

import multiprocessing as mp


def work(lock, x):
    with lock:
        return x * x


def main():
    lock = mp.Lock()
    with mp.Pool(2) as pool:
        print(f"result: {pool.apply_async(work, (lock, 3)).get()}", flush=True)  # BUG


if __name__ == "__main__":
    main()
