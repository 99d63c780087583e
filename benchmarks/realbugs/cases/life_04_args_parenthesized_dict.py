# realbug: a dictionary passed as the only argument in parentheses is unpacked into its keys
# source: https://github.com/microsoft/PTVS/issues/1133
# expected: MPL102
# symptom: TypeError: func() takes 1 positional argument but 3 were given
from multiprocessing import Process


def func(settings):
    print(settings)


if __name__ == "__main__":
    my_dict = {"a": 1, "b": 2, "c": 3}
    p1 = Process(target=func, args=(my_dict))
    p1.start()
    p1.join()
