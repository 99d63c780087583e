# realbug: a console entry point sets the start method unconditionally; running it twice in one process fails
# source: https://github.com/lncrawl/lightnovel-crawler/issues/2774
# expected: MPL202
# symptom: RuntimeError: context has already been set
# why-missed: an entry point runs once per process; what set the context first is in another module
import multiprocessing
import sys


def main():
    multiprocessing.set_start_method("spawn")
    from lncrawl.app import run

    run(sys.argv[1:])
