# witness: hangs
# witness: stderr lacks "Traceback"
# witness: values "received" = "0" "1" "2"
# witness: never prints "done"
"""MPL506 pipe-end-misuse: both ends kept in attributes, the parent's copy of the writer never
closed.

`__init__` keeps `self.reader, self.writer = Pipe(duplex=False)` and gives `self.writer` to
the child; `collect()` reads `self.reader` until EOFError. The child sends 0, 1, 2 and exits,
but the parent still holds its copy of the writer: after the three items `recv()` blocks and
the program HANGS ("done" is never printed).
"""

import multiprocessing


def produce(conn):
    for i in range(3):
        conn.send(i)
    conn.close()


class Collector:
    def __init__(self):
        self.reader, self.writer = multiprocessing.Pipe(duplex=False)
        self.proc = multiprocessing.Process(target=produce, args=(self.writer,))

    def start(self):
        self.proc.start()  # BUG: `self.writer` stays open in the parent

    def collect(self):
        while True:
            try:
                print(f"received: {self.reader.recv()}", flush=True)
            except EOFError:
                break
        self.proc.join()


if __name__ == "__main__":
    collector = Collector()
    collector.start()
    collector.collect()
    print("done", flush=True)
