# witness: runs clean
# witness: prints exactly "submitted 0" "submitted 1" "submitted 2"
"""MPL302 fixed: close the pool once, after the submission loop.

Expected: three "submitted" lines and exit status 0.
"""

import multiprocessing as mp


def worker(info):
    return info


if __name__ == "__main__":
    po = mp.Pool(2)
    for info in range(3):
        po.apply_async(worker, (info,))
        print("submitted", info, flush=True)
    po.close()
    po.join()
