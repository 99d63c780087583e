# realbug: a depth ground-truth generator closes its pool inside the submission loop
# source: https://github.com/JeffWang987/OpenOccupancy/issues/8
# expected: MPL302
# symptom: ValueError: Pool not running
import multiprocessing as mp


def worker(info):
    return info


if __name__ == "__main__":
    infos = list(range(100))
    po = mp.Pool(8)
    for info in infos:
        po.apply_async(func=worker, args=(info,))
        po.close()
    po.join()
