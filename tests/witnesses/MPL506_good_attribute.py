# witness: exits 0
# witness: values "received" = "0" "1" "2"
# witness: prints "done"
"""MPL506 pipe-end-misuse, corrected: the ends kept in attributes, and `start()` closes the
parent's copy of the writer once the child has it, so `recv()` raises EOFError after the
child's last item.
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
        self.proc.start()
        self.writer.close()

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
