# witness: dies "OSError: connection is read-only"
# witness: no value "received"
# witness: reported 2 times
"""MPL506 pipe-end-misuse: `w, r = Pipe(duplex=False)` — the names are swapped.

`Pipe(duplex=False)` returns `(reader, writer)`, so `w` is the read end and the first
`w.send()` raises

    OSError: connection is read-only
"""

import multiprocessing

if __name__ == "__main__":
    w, r = multiprocessing.Pipe(duplex=False)  # BUG: returns (reader, writer)
    w.send("hello")
    print(f"received: {r.recv()}", flush=True)
