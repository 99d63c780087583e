# realbug: a metric creates a Pool on every forward() call and never closes it
# source: https://github.com/photosynthesis-team/piq/issues/111
# expected: MPL307
# symptom: OSError: [Errno 24] Too many open files after about 60 calls
from multiprocessing import Pool


def relative_score(pair):
    return abs(pair[0] - pair[1])


class GeometryScore:
    def __init__(self, workers):
        self.workers = workers

    def forward(self, pairs):
        pool = Pool(self.workers)
        scores = pool.map(relative_score, pairs)
        return sum(scores)


if __name__ == "__main__":
    metric = GeometryScore(2)
    for _ in range(100):
        metric.forward([(1, 2), (3, 5)])
