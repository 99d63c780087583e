# realbug: a pool helper sets the fork start method each time an ensemble is run
# source: https://github.com/djgroen/FabSim3/issues/201
# expected: MPL202
# symptom: RuntimeError: context has already been set on the second ensemble run
from multiprocessing import Pool, set_start_method


def run_job(job):
    return job


class MultiProcessingPool:
    def __init__(self, processes):
        set_start_method("fork")
        self.pool = Pool(processes)

    def run(self, jobs):
        return self.pool.map(run_job, jobs)
