# realbug: a book's example starts five processes in a loop and joins only the variable's last one
# source: https://github.com/qiyeboy/SpiderBook/issues/43
# expected: MPL110
# symptom: "Process end." is printed while four of the five children may still be running
import os
from multiprocessing import Process


def run_proc(name):
    print("child", name, os.getpid())


if __name__ == "__main__":
    print("parent", os.getpid())
    for i in range(5):
        p = Process(target=run_proc, args=(str(i),))
        print("starting")
        p.start()
    p.join()
    print("Process end.")
