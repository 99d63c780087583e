# witness: runs clean
# witness: prints "put returned"
# witness: prints "child used the lock: True"
# witness: prints "child exitcode: 0"
"""MPL205 unpicklable-argument, fixed: a Manager lock proxy pickles and travels.

A child takes the proxy off the queue and uses it. Expected: "put returned",
"child used the lock: True", "child exitcode: 0".
"""

import multiprocessing as mp


def consume(items):
    lock = items.get(timeout=5)
    with lock:
        print("child used the lock: True", flush=True)


def main():
    with mp.Manager() as manager:
        lock = manager.Lock()  # bound to a name: the proxy keeps the lock alive (MPL407)
        items = mp.Queue()
        items.put(lock)
        print("put returned", flush=True)
        child = mp.Process(target=consume, args=(items,))
        child.start()
        child.join()
        print(f"child exitcode: {child.exitcode}", flush=True)


if __name__ == "__main__":
    main()
