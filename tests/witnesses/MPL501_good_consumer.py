# witness: runs clean
# witness: prints "handled: 0"
# witness: prints "handled: 1"
# witness: prints "handled: 2"
# witness: prints "joined"
"""MPL501 join-blocked-by-queue, fixed: the consumer stops on a sentinel (None).

Expected output:
    handled: 0
    handled: 1
    handled: 2
    joined
"""

import multiprocessing


def consume(tasks):
    while True:
        item = tasks.get()
        if item is None:
            break
        print(f"handled: {item}", flush=True)


if __name__ == "__main__":
    tasks = multiprocessing.Queue()
    c = multiprocessing.Process(target=consume, args=(tasks,))
    c.start()
    for item in range(3):
        tasks.put(item)
    tasks.put(None)
    c.join()
    print("joined", flush=True)
