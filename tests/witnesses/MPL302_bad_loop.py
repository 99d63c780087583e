# witness: dies "ValueError: Pool not running"
# witness: prints exactly "submitted 0"
"""MPL302 pool-lifecycle-order: the submission loop closes the pool at the end of each pass.

The first pass submits and closes; the second pass submits to the closed pool.

Expected: "submitted 0", then exit status 1 with ValueError: Pool not running.
"""

import multiprocessing as mp


def worker(info):
    return info


if __name__ == "__main__":
    po = mp.Pool(2)
    for info in range(3):
        po.apply_async(worker, (info,))
        print("submitted", info, flush=True)
        po.close()  # BUG: inside the loop
    po.join()
