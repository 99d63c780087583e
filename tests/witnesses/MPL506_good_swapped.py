# witness: runs clean
# witness: prints "received: hello"
"""MPL506 pipe-end-misuse, fixed: `r, w = Pipe(duplex=False)`.

Expected output:
    received: hello
"""

import multiprocessing

if __name__ == "__main__":
    r, w = multiprocessing.Pipe(duplex=False)
    w.send("hello")
    print(f"received: {r.recv()}", flush=True)
