# realbug: a search space keeps lambdas as attributes and maps one of them over a pool
# source: https://github.com/uber/bayesmark/pull/8
# expected: MPL203
# symptom: AttributeError: Can't pickle local object 'Categorical.__init__.<locals>.<lambda>'
# why-missed: the lambda is stored in self.warp by __init__ and mapped from another method; attributes are not followed across methods
from multiprocessing import Pool


class Categorical:
    def __init__(self, values):
        self.values = values
        self.warp = lambda x: values.index(x)

    def warp_all(self, points):
        with Pool(4) as pool:
            return pool.map(self.warp, points)


if __name__ == "__main__":
    print(Categorical(["a", "b"]).warp_all(["a", "b", "a"]))
