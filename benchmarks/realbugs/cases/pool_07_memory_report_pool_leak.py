# realbug: a memory-report tool maps over a pool that goes out of scope unclosed; the next run opens more
# source: https://github.com/mozilla-b2g/B2G/pull/420
# expected: MPL307
# symptom: worker processes accumulate until the host runs out of memory
import multiprocessing


def process_report(path):
    return path.upper()


def get_reports(paths):
    pool = multiprocessing.Pool()
    reports = pool.map(process_report, paths)
    return reports


if __name__ == "__main__":
    while True:
        get_reports(["a.json", "b.json"])
