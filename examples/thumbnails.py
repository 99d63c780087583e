"""Make thumbnails of every image in a folder, in parallel."""

import os
import sys
from multiprocessing import Pool


def thumbnail(path):
    # stand-in for real image work
    size = os.path.getsize(path)
    return path, size // 10


def run(folder):
    paths = [os.path.join(folder, name) for name in sorted(os.listdir(folder))]
    pool = Pool(4)
    pending = pool.map_async(thumbnail, paths)
    pool.join()  # waits for the workers... but the pool is still running
    for path, size in pending.get():
        print(f"{path}: {size} bytes")


run(sys.argv[1] if len(sys.argv) > 1 else ".")
