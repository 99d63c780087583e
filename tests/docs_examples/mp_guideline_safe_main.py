# multiprocessing, Programming guidelines, "Safe importing of main module": the entry point protected
# by the __main__ guard.
from multiprocessing import Process, freeze_support, set_start_method


def foo():
    print("hello")


if __name__ == "__main__":
    freeze_support()
    set_start_method("spawn")
    p = Process(target=foo)
    p.start()
