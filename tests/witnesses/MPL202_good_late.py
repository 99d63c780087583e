# witness: runs clean
# witness: prints "queue created"
# witness: prints "received: hello"
"""MPL202 start-method-misconfigured, fixed: set_start_method() before any other use.

Expected: "queue created", "received: hello".
"""

import multiprocessing as mp


def work(queue):
    queue.put("hello")


def main():
    mp.set_start_method("spawn")
    queue = mp.Queue()
    print("queue created", flush=True)
    child = mp.Process(target=work, args=(queue,))
    child.start()
    print(f"received: {queue.get()}", flush=True)
    child.join()


if __name__ == "__main__":
    main()
