# witness: runs clean
# witness: prints "server 0 2"
# witness: prints "server 1 2"
# witness: start-method spawn
"""MPL205 near miss: the attribute that holds the processes is set after they are started.

Spawn pickles the instance behind `self.serve` inside `start()`; at that moment it has no `servers`
attribute yet, so nothing unpicklable travels and both children run.

Expected output:
    server 0 2
    server 1 2
"""

import multiprocessing as mp


class Sampler:
    def __init__(self, n):
        self.n = n

    def serve(self, rank):
        print("server", rank, self.n, flush=True)

    def launch(self, ctx):
        servers = [ctx.Process(target=self.serve, args=(i,)) for i in range(self.n)]
        for s in servers:
            s.start()
            s.join()  # one at a time: the output order is fixed
        self.servers = servers


if __name__ == "__main__":
    Sampler(2).launch(mp.get_context("spawn"))
