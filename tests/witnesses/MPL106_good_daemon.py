# witness: runs clean
# witness: prints "leaf ran"
# witness: prints "supervisor exitcode: 0"
"""MPL106 fixed: the supervisor is not a daemon (it is joined explicitly).

Expected output: "leaf ran" (from the grandchild) and "supervisor exitcode: 0".
"""

import multiprocessing


def leaf():
    print("leaf ran", flush=True)


def supervisor():
    child = multiprocessing.Process(target=leaf)
    child.start()
    child.join()


if __name__ == "__main__":
    sup = multiprocessing.Process(target=supervisor)
    sup.start()
    sup.join()
    print(f"supervisor exitcode: {sup.exitcode}", flush=True)
