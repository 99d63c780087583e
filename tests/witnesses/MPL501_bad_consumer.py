# witness: hangs
# witness: stderr lacks "Traceback"
# witness: values "handled" = "0" "1" "2"
# witness: never prints "joined"
"""MPL501 join-blocked-by-queue: a consumer loops on `get()` with no sentinel, and is joined.

The consumer handles the three items, then blocks in `tasks.get()` forever: nothing
tells it to stop. The parent's `c.join()` waits for it, so the program HANGS after
printing the three items ("joined" is never printed).
"""

import multiprocessing


def consume(tasks):
    while True:
        item = tasks.get()
        print(f"handled: {item}", flush=True)


if __name__ == "__main__":
    tasks = multiprocessing.Queue()
    c = multiprocessing.Process(target=consume, args=(tasks,))
    c.start()
    for item in range(3):
        tasks.put(item)
    c.join()  # BUG: consume() never returns
    print("joined", flush=True)
