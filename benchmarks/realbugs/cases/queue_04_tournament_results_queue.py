# realbug: a tournament runs repetitions in processes that put results on a queue; the parent joins first
# source: https://github.com/Axelrod-Python/Axelrod/issues/125
# expected: MPL501
# symptom: the run hangs for the larger tournaments (a large queue)
from multiprocessing import Process, Queue


def play_repetitions(n, done):
    done.put([[0] * 1000 for _ in range(n)])


def run_parallel(processes, repetitions):
    done = Queue()
    workers = [Process(target=play_repetitions, args=(repetitions, done)) for _ in range(processes)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return [done.get() for _ in workers]


if __name__ == "__main__":
    print(len(run_parallel(3, 200)))
