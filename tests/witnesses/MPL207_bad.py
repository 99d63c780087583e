# witness: exits 0
# witness: value "child still blocked after 2s" = "True"
# witness: never prints "child got the lock"
# witness: start-method fork
"""MPL207 fork-with-threads: a process forked while another thread holds a lock.

A background thread takes a lock (as a logging handler or a cache would) and holds it
while the main thread forks a child. The child gets a copy of the lock in its locked
state and no thread that will ever release it: it hangs on its first acquire().

Expected: "child still blocked after 2s: True" (the parent then kills it).
"""

import multiprocessing as mp
import threading
import time

state_lock = threading.Lock()
holding = threading.Event()


def background():
    with state_lock:
        holding.set()
        time.sleep(3)


def child_work():
    with state_lock:  # never returns in the child
        print("child got the lock", flush=True)


if __name__ == "__main__":
    helper = threading.Thread(target=background, daemon=True)
    helper.start()
    holding.wait()
    ctx = mp.get_context("fork")
    child = ctx.Process(target=child_work)
    child.start()  # BUG: forks while `helper` holds state_lock
    child.join(2)
    print(f"child still blocked after 2s: {child.is_alive()}", flush=True)
    child.kill()
    child.join()
