# witness: runs clean
# witness: prints "cooperative worker terminated: False"
# witness: prints "cooperative exitcode: 0"
# witness: prints "lock acquired after shutdown: True"
# witness: prints "stuck worker terminated: True"
# witness: prints "stuck exitcode after terminate+join: -15"
"""MPL108 fixed: cooperative shutdown with an Event, terminate() only as a last resort.

The worker takes the Lock only for short sections and stops when the `stop` Event is
set. The parent sets the Event, joins with a timeout, and only if the child is
still alive terminates it and joins again. The Lock is free afterwards. A second
child that ignores the Event (and holds no lock) shows the last-resort path:
terminate() followed by join() leaves a real exitcode (-SIGTERM).

Expected output:
    cooperative worker terminated: False
    cooperative exitcode: 0
    lock acquired after shutdown: True
    stuck worker terminated: True
    stuck exitcode after terminate+join: -15
"""

import multiprocessing
import time


def worker(lock, stop, ready):
    ready.set()
    while not stop.is_set():
        with lock:
            time.sleep(0.01)  # short critical section
        time.sleep(0.01)


def stuck():
    time.sleep(60)


def shut_down(p, timeout):
    """Join `p`; terminate and join it only if it did not stop by itself.

    Returns True if the process had to be terminated.
    """
    p.join(timeout)
    if p.is_alive():
        p.terminate()
        p.join()
        return True
    return False


if __name__ == "__main__":
    lock = multiprocessing.Lock()
    stop = multiprocessing.Event()
    ready = multiprocessing.Event()
    p = multiprocessing.Process(target=worker, args=(lock, stop, ready))
    p.start()
    if not ready.wait(timeout=10):
        raise SystemExit("worker never started")
    time.sleep(0.2)
    stop.set()
    forced = shut_down(p, timeout=10)
    print(f"cooperative worker terminated: {forced}", flush=True)
    print(f"cooperative exitcode: {p.exitcode}", flush=True)
    acquired = lock.acquire(timeout=2)
    print(f"lock acquired after shutdown: {acquired}", flush=True)
    if acquired:
        lock.release()

    s = multiprocessing.Process(target=stuck)
    s.start()
    forced = shut_down(s, timeout=0.3)
    print(f"stuck worker terminated: {forced}", flush=True)
    print(f"stuck exitcode after terminate+join: {s.exitcode}", flush=True)
