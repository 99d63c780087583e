# realbug: a test runner starts its pool with a lambda initializer; it broke on the Python upgrade
# source: https://github.com/software-mansion/protostar/pull/705
# expected: MPL203
# symptom: PicklingError: Can't pickle <function <lambda>>: attribute lookup failed (spawn)
import multiprocessing
import os


def run_one(test):
    return test.upper()


class Runner:
    def __init__(self, jobs):
        self.jobs = jobs

    def run(self, tests):
        with multiprocessing.Pool(self.jobs, initializer=lambda: os.setpgrp()) as pool:
            return pool.map(run_one, tests)


if __name__ == "__main__":
    print(Runner(2).run(["a", "b"]))
