# realbug: an archive class repacks its files with a Pool that is never terminated
# source: https://github.com/mon/ifstools/pull/15
# expected: MPL307
# symptom: a growing number of forked workers and memory when many archives are packed
from multiprocessing import Pool


def pack_file(entry):
    return entry[::-1]


class IFS:
    def __init__(self, files):
        self.files = files

    def repack(self):
        p = Pool()
        packed = p.map(pack_file, self.files)
        return packed


if __name__ == "__main__":
    for _ in range(50):
        IFS(["a", "b"]).repack()
