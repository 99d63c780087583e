# realbug: a stream library's mpmap() is given a lambda; the pool lives inside the library
# source: https://github.com/asuiu/pyxtension/issues/15
# expected: none
# why-none: the pool is created in another module (the library); which callables it pickles is not visible here
from pyxtension.streams import stream

corpus = ["a b", "b c"]


def reduce_maps(m1, m2):
    for k, v in m2.items():
        m1[k] = m1.get(k, 0) + v
    return m1


if __name__ == "__main__":
    counts = stream(corpus).mpmap(lambda line: stream(line.split(" ")).countByValue()).reduce(reduce_maps)
    print(counts)
