# realbug: a batch exporter starts the same worker processes again on a second export
# source: https://github.com/pupil-labs/pupil/issues/913
# expected: MPL103
# symptom: AssertionError: cannot start a process twice
# why-missed: the processes are kept in self.workers, created in __init__ and started in another method
from multiprocessing import Process


def export(path):
    print("exporting", path)


class BatchExporter:
    def __init__(self, paths):
        self.workers = [Process(target=export, args=(p,)) for p in paths]

    def start_export(self):
        for i in range(len(self.workers)):
            self.workers[i].start()


if __name__ == "__main__":
    exporter = BatchExporter(["a", "b"])
    exporter.start_export()
    exporter.start_export()
