# witness: runs clean
# witness: prints exactly "received hello"
"""MPL102 fixed: `args=(child_end,)` is a one-item tuple.

Expected: "received hello" and exit status 0.
"""

import multiprocessing


def reader(conn):
    print("received", conn.recv(), flush=True)


if __name__ == "__main__":
    parent_end, child_end = multiprocessing.Pipe()
    p = multiprocessing.Process(target=reader, args=(child_end,))
    p.start()
    parent_end.send("hello")
    p.join()
