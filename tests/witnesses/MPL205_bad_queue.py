# witness: exits 0
# witness: prints exactly "put returned" "received: nothing (queue.Empty)"
# witness: stderr has "RuntimeError: Lock objects should only be shared between processes through inheritance"
"""MPL205 unpicklable-argument: a Lock put on a multiprocessing Queue.

put() returns normally; the queue's feeder thread fails to pickle the item, prints
"RuntimeError: Lock objects should only be shared between processes through inheritance"
and drops it. The consumer waits in vain.

Expected: "put returned", "received: nothing (queue.Empty)", exit status 0, and the
RuntimeError printed by the feeder thread on stderr.
"""

import multiprocessing as mp
import queue


def main():
    items = mp.Queue()
    items.put(mp.Lock())  # BUG: silently dropped
    print("put returned", flush=True)
    try:
        print(f"received: {items.get(timeout=1)}", flush=True)
    except queue.Empty:
        print("received: nothing (queue.Empty)", flush=True)


if __name__ == "__main__":
    main()
