"""Make thumbnails with a pool; the pool is joined while it is still running."""

import sys
from multiprocessing import Pool


def thumbnail(path: str) -> int:
    return len(path)


def run(folder: str) -> None:
    paths = [folder + "/a.png", folder + "/b.png"]
    pool = Pool(4)
    pending = pool.map_async(thumbnail, paths)
    pool.join()  # the pool is still running
    print(pending.get())


run(sys.argv[1] if len(sys.argv) > 1 else ".")
