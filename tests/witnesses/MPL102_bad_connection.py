# witness: dies "TypeError: 'Connection' object is not iterable"
# witness: prints nothing
"""MPL102 args-not-a-tuple: a pipe end in parentheses, `args=(child_end)`, is not a tuple.

Process.__init__ calls tuple(args), and a Connection is not iterable: the parent fails
before the child is started.

Expected: exit status 1 with the TypeError; "received" is never printed.
"""

import multiprocessing


def reader(conn):
    print("received", conn.recv(), flush=True)


if __name__ == "__main__":
    parent_end, child_end = multiprocessing.Pipe()
    p = multiprocessing.Process(target=reader, args=(child_end))  # BUG: not a tuple
    p.start()
    parent_end.send("hello")
    p.join()
