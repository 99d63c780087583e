# witness: runs clean
# witness: prints "received: 0"
# witness: prints "received: 1"
# witness: prints "received: 2"
# witness: prints "done"
"""MPL506 pipe-end-misuse, fixed: the parent closes its copy of the writer after `start()`.

Expected output:
    received: 0
    received: 1
    received: 2
    done
"""

import multiprocessing


def produce(conn):
    for i in range(3):
        conn.send(i)
    conn.close()


if __name__ == "__main__":
    reader, writer = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=produce, args=(writer,))
    p.start()
    writer.close()
    while True:
        try:
            print(f"received: {reader.recv()}", flush=True)
        except EOFError:
            break
    p.join()
    print("done", flush=True)
