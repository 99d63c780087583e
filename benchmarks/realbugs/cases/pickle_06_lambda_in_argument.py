# realbug: a parameter space holding lambdas is sent to the workers of a local search
# source: https://github.com/luinardi/hypermapper/pull/63
# expected: MPL205
# symptom: PicklingError: Can't pickle <function <lambda>>: attribute lookup <lambda> on __main__ failed
# why-missed: the lambda travels inside argument tuples built by a comprehension; the contents of containers are not followed
from multiprocessing import Pool


def neighbourhood(configuration, transform):
    return [transform(v) for v in configuration]


def local_search(configurations):
    transform = lambda v: v * 2
    with Pool(4) as pool:
        return pool.starmap(neighbourhood, [(c, transform) for c in configurations])


if __name__ == "__main__":
    print(local_search([[1, 2], [3]]))
