# witness: runs clean
# witness: prints exactly "[42, None, 'hello']" "read 10000 items"
"""MPL501 fixed: the parent reads everything the child puts before it joins.

Expected: both lines printed and exit status 0.
"""

from multiprocessing import Process, Queue


def f(q):
    for _ in range(10000):
        q.put([42, None, "hello"])


if __name__ == "__main__":
    q = Queue()
    p = Process(target=f, args=(q,))
    p.start()
    items = [q.get() for _ in range(10000)]
    print(items[0], flush=True)
    p.join(1)
    print(f"read {len(items)} items", flush=True)
