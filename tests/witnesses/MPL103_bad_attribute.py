# witness: dies "AssertionError: cannot start a process twice"
# witness: prints exactly "save 0 exitcode: 0"
"""MPL103 process-started-twice: a process made once in `__init__` and started by a method that runs
on every save.

The first save runs the child; the second `start()` fails in the parent, in
multiprocessing/process.py, BaseProcess.start:

    AssertionError: cannot start a process twice

Expected: "save 0 exitcode: 0" on stdout, then the script dies with that traceback (exit status 1).
"""

import multiprocessing


def flush():
    pass


class Autosave:
    def __init__(self):
        self.worker = multiprocessing.Process(target=flush)

    def on_save(self, number):
        self.worker.start()  # BUG: the same object on every call
        self.worker.join()
        print(f"save {number} exitcode: {self.worker.exitcode}", flush=True)


if __name__ == "__main__":
    saver = Autosave()
    for number in range(3):
        saver.on_save(number)
