# witness: hangs after "[42, None, 'hello']"
# witness: prints exactly "[42, None, 'hello']" "joined with a timeout"
"""MPL501 join-blocked-by-queue: join(timeout) returns, then the program ends (cpython#91594).

The child puts 10000 items; the parent reads one, joins with a timeout and reaches the end
of the script. The interpreter's exit handler then joins the child without a timeout, and the
child cannot exit until its queued items are read: the program never ends.

Expected: both lines printed, then a hang.
"""

from multiprocessing import Process, Queue


def f(q):
    for _ in range(10000):
        q.put([42, None, "hello"])


if __name__ == "__main__":
    q = Queue()
    p = Process(target=f, args=(q,))
    p.start()
    print(q.get(), flush=True)
    p.join(1)  # BUG: the exit handler joins the child again, without a timeout
    print("joined with a timeout", flush=True)
