# realbug: a fuzzer starts processes on a bound method of an object that holds a threading lock
# source: https://github.com/bahruzjabiyev/t-reqs/issues/1
# expected: MPL205
# symptom: TypeError: cannot pickle '_thread.lock' object (spawn, macOS)
import multiprocessing
import threading


class Fuzzer:
    def __init__(self, seeds):
        self.seeds = seeds
        self.lock = threading.Lock()

    def fuzz_one(self, seed):
        with self.lock:
            print("fuzzing", seed)

    def fuzz_all(self):
        procs = []
        for seed in self.seeds:
            proc = multiprocessing.Process(target=self.fuzz_one, args=(seed,))
            proc.start()
            procs.append(proc)
        for proc in procs:
            proc.join()


if __name__ == "__main__":
    Fuzzer([1, 2]).fuzz_all()
