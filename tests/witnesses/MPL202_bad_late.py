# witness: dies "RuntimeError: context has already been set"
# witness: prints exactly "queue created"
"""MPL202 start-method-misconfigured: set_start_method() after a Queue was created.

Creating the Queue made the default context choose its start method, so the later
set_start_method() raises in the parent:

    RuntimeError: context has already been set

Expected: "queue created", then the script dies with that RuntimeError.
"""

import multiprocessing as mp


def work(queue):
    queue.put("hello")


def main():
    queue = mp.Queue()
    print("queue created", flush=True)
    mp.set_start_method("spawn")  # BUG: too late
    child = mp.Process(target=work, args=(queue,))
    child.start()
    print(f"received: {queue.get()}", flush=True)
    child.join()


if __name__ == "__main__":
    main()
