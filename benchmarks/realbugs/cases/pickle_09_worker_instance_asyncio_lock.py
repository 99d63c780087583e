# realbug: the server builds a Worker in the parent and starts a process on its bound start method
# source: https://github.com/gpustack/gpustack/pull/5232
# expected: none
# symptom: TypeError: cannot pickle '_thread.lock' object (spawn)
# why-none: asyncio.Lock() itself pickles on 3.11 (verified); the thread lock the report names is inside objects of another module
import asyncio
import multiprocessing


class Worker:
    def __init__(self, config):
        self.config = config
        self.benchmark_lock = asyncio.Lock()

    def start(self):
        print("worker with", self.config)


def run_server(config):
    worker = Worker(config)
    process = multiprocessing.Process(target=worker.start)
    process.start()
    process.join()


if __name__ == "__main__":
    run_server({"port": 80})
