# witness: dies "BrokenPipeError: [Errno 32] Broken pipe"
# witness: value "inside" = "{'a': 1}"
# witness: no value "after"
"""MPL406 manager-used-after-shutdown: a proxy used after the Manager's `with` block.

Leaving `with mp.Manager() as manager:` shuts the manager's server process down
(`BaseManager.__exit__` calls `shutdown()`). The dict proxy created inside the block
still exists, but every use of it now fails: here with
`BrokenPipeError: [Errno 32] Broken pipe`.

Expected output:
    inside: {'a': 1}
    (stderr) BrokenPipeError: [Errno 32] Broken pipe
"""

import multiprocessing as mp


def fill(shared):
    shared["a"] = 1


if __name__ == "__main__":
    with mp.Manager() as manager:
        shared = manager.dict()
        p = mp.Process(target=fill, args=(shared,))
        p.start()
        p.join()
        print(f"inside: {shared.copy()}", flush=True)
    shared["b"] = 2  # BUG: the manager is gone
    print(f"after: {shared.copy()}", flush=True)
