# realbug: a face-animation script builds its pool and maps at module level
# source: https://github.com/ctralie/FaceJam/issues/2
# expected: MPL201
# symptom: RuntimeError: An attempt has been made to start a new process before the current process has finished its bootstrapping phase (Windows)
from multiprocessing import Pool


def make_warps_batch(frames):
    return [f * 2 for f in frames]


batches = [[1, 2], [3, 4]]
pool = Pool(4)
warps = pool.map(make_warps_batch, batches)
pool.close()
pool.join()
print(warps)
