# witness: runs clean
# witness: prints "child got the lock"
# witness: prints "child still blocked after 2s: False"
# witness: start-method forkserver
"""MPL207 fork-with-threads, fixed: the child is started by forkserver.

The forkserver child does not copy the parent's threads or locks; it imports this
module afresh and gets a free lock. Expected: "child got the lock",
"child still blocked after 2s: False".
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
    with state_lock:
        print("child got the lock", flush=True)


if __name__ == "__main__":
    helper = threading.Thread(target=background, daemon=True)
    helper.start()
    holding.wait()
    ctx = mp.get_context("forkserver")
    child = ctx.Process(target=child_work)
    child.start()
    child.join(2)
    print(f"child still blocked after 2s: {child.is_alive()}", flush=True)
    child.kill()
    child.join()
