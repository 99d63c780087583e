# realbug: a correct program fails only when an IDE runs it with a built-in __main__
# source: https://github.com/thonny/thonny/issues/2544
# expected: none
# why-none: the code is correct; the failure comes from how the IDE runs it
from multiprocessing import Process


def execute_proc(n):
    print("process", n)


def main():
    procs = []
    for i in range(10):
        proc = Process(target=execute_proc, args=(i,))
        procs.append(proc)
        proc.start()
    for proc in procs:
        proc.join()


if __name__ == "__main__":
    main()
