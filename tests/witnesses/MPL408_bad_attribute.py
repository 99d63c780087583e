# witness: start-method spawn
# witness: exits 0
# witness: stderr has "FileNotFoundError: [Errno 2] No such file or directory"
# witness: prints nothing
# witness: reported 1 times
"""MPL408 unjoined-process-with-primitive: the lock kept in an attribute of an application object
whose run() starts the processes as the program's last act.

The parent ends right after `App().run()`; its exit handler unlinks the lock's semaphore before
it joins the children, and each child, still unpickling `self.lock`, dies in
SemLock.__setstate__.

Expected: exit status 0, no "hello" line at all, FileNotFoundError on stderr.
"""

import multiprocessing


def greet(lock, index):
    with lock:
        print("hello", index, flush=True)


class App:
    def __init__(self):
        self.ctx = multiprocessing.get_context("spawn")
        self.lock = self.ctx.Lock()

    def run(self):
        for index in range(10):
            self.ctx.Process(target=greet, args=(self.lock, index)).start()  # BUG: never joined


if __name__ == "__main__":
    App().run()
