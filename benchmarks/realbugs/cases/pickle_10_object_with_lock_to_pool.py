# realbug: a copy controller hands an rsync wrapper holding a threading.Lock to pool workers
# source: https://github.com/EnterpriseDB/barman/pull/1184
# expected: MPL205
# symptom: TypeError: cannot pickle '_thread.lock' object when serializing dict item '_pipe_lock'
# why-missed: the object with the lock travels inside argument tuples built by a comprehension; the contents of containers are not followed
import threading
from multiprocessing import Pool


class RsyncPgData:
    def __init__(self, path):
        self.path = path
        self._pipe_lock = threading.Lock()


def copy_bucket(rsync, bucket):
    return (rsync.path, bucket)


def copy(path, buckets):
    rsync = RsyncPgData(path)
    with Pool(4) as pool:
        return pool.starmap(copy_bucket, [(rsync, b) for b in buckets])


if __name__ == "__main__":
    print(copy("/data", [1, 2]))
