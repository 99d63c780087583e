# realbug: request handlers run in worker processes append venues to a global list the parent returns
# source: https://github.com/csmetrics/csmetrics.net/issues/64
# expected: MPL404
# symptom: the endpoint sometimes returns an empty list
from multiprocessing import Pool

venues = []


def load_venue(name):
    venues.append(name.upper())


def update(names):
    with Pool(4) as pool:
        pool.map(load_venue, names)
    return venues


if __name__ == "__main__":
    print(update(["a", "b"]))
