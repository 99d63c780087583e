# witness: runs clean
# witness: prints "round 0 exitcode: 0"
# witness: prints "round 1 exitcode: 0"
# witness: prints "round 2 exitcode: 0"
"""MPL103 fixed: a new Process for each pass of the loop.

Expected output: "round 0 exitcode: 0", "round 1 exitcode: 0", "round 2 exitcode: 0".
"""

import multiprocessing


def poll():
    pass


if __name__ == "__main__":
    for round_ in range(3):
        p = multiprocessing.Process(target=poll)
        p.start()
        p.join()
        print(f"round {round_} exitcode: {p.exitcode}", flush=True)
