# realbug: a dump mapper sizes its worker count from the path queue's qsize()
# source: https://github.com/mediawiki-utilities/python-mwxml/issues/8
# expected: MPL503
# symptom: NotImplementedError in queues.py qsize on macOS
from multiprocessing import Process, Queue


def process_path(paths, output):
    while True:
        path = paths.get()
        if path is None:
            break
        output.put(path)


def map_paths(paths, threads=4):
    pathsq = Queue()
    for path in paths:
        pathsq.put(path)
    threads = max(1, min(int(threads), pathsq.qsize()))
    output = Queue()
    workers = [Process(target=process_path, args=(pathsq, output)) for _ in range(threads)]
    for w in workers:
        w.start()
    for _ in workers:
        pathsq.put(None)
    results = [output.get() for _ in paths]
    for w in workers:
        w.join()
    return results


if __name__ == "__main__":
    print(map_paths(["a", "b"]))
