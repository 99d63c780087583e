# witness: runs clean
# witness: prints "daemon: True"
# witness: prints "child exitcode: 0"
"""MPL105 fixed: `daemon` is assigned before `start()`.

Expected output: "daemon: True" and "child exitcode: 0"; exit status 0 and
nothing on stderr.
"""

import multiprocessing
import time


def work():
    time.sleep(0.1)


if __name__ == "__main__":
    p = multiprocessing.Process(target=work)
    p.daemon = True
    p.start()
    print(f"daemon: {p.daemon}", flush=True)
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
