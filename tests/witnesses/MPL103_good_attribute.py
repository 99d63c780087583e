# witness: runs clean
# witness: prints exactly "save 0 exitcode: 0" "save 1 exitcode: 0" "save 2 exitcode: 0"
"""MPL103 process-started-twice, fixed: each save makes a new process.

Expected: three lines "save N exitcode: 0" on stdout, exit status 0.
"""

import multiprocessing


def flush():
    pass


class Autosave:
    def __init__(self):
        self.worker = None

    def on_save(self, number):
        self.worker = multiprocessing.Process(target=flush)
        self.worker.start()
        self.worker.join()
        print(f"save {number} exitcode: {self.worker.exitcode}", flush=True)


if __name__ == "__main__":
    saver = Autosave()
    for number in range(3):
        saver.on_save(number)
