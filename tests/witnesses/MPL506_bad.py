# witness: hangs
# witness: stderr lacks "Traceback"
# witness: values "received" = "0" "1" "2"
# witness: never prints "done"
"""MPL506 pipe-end-misuse: the parent keeps the writing end it gave the child.

The child sends 0, 1, 2 and exits, closing its copy of the writer. `recv()` raises
EOFError only when every copy is closed, and the parent still holds one: after the
three items the parent's `recv()` blocks and the program HANGS ("done" is never
printed).
"""

import multiprocessing


def produce(conn):
    for i in range(3):
        conn.send(i)
    conn.close()


if __name__ == "__main__":
    reader, writer = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=produce, args=(writer,))
    p.start()  # BUG: `writer` stays open in the parent
    while True:
        try:
            print(f"received: {reader.recv()}", flush=True)
        except EOFError:
            break
    p.join()
    print("done", flush=True)
