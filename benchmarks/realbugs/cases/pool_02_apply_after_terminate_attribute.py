# realbug: a runner tears down its subprocess pool, then stop() still runs teardown through it
# source: https://github.com/DiamondLightSource/blueapi/issues/1588
# expected: MPL302
# symptom: ValueError: Pool not running
# why-missed: the pool is self._subprocess, terminated in one method and used in another
from multiprocessing import Pool


def teardown():
    return "ok"


class Runner:
    def __init__(self):
        self._subprocess = Pool(processes=1)

    def run(self, func):
        return self._subprocess.apply(func)

    def stop(self):
        self._subprocess.terminate()
        self.run(teardown)


if __name__ == "__main__":
    Runner().stop()
