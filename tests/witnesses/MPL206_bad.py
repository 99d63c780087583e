# witness: dies "RuntimeError: A SemLock created in a fork context is being shared with a process in a spawn context. This is not supported. Please use the same context to create multiprocessing objects and Process."
# witness: never prints "work ran"
# witness: start-method fork spawn
"""MPL206 mixed-context-objects: a Lock made by the fork context, given to a spawn Process.

multiprocessing/synchronize.py SemLock.__getstate__ refuses it when the child is spawned:

    RuntimeError: A SemLock created in a fork context is being shared with a process in a spawn context. This is not supported. Please use the same context to create multiprocessing objects and Process.

(a check since Python 3.11.5/3.12). Expected: p.start() raises it, the script dies.
"""

import multiprocessing as mp


def work(lock):
    with lock:
        print("work ran", flush=True)


if __name__ == "__main__":
    lock = mp.get_context("fork").Lock()  # BUG: the fork context (the default on Linux < 3.14)
    ctx = mp.get_context("spawn")
    child = ctx.Process(target=work, args=(lock,))
    child.start()
    child.join()
    print(f"child exitcode: {child.exitcode}", flush=True)
