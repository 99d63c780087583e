# realbug: a collector logs how many tweets are pending through qsize()
# source: https://github.com/medialab/gazouilloire/issues/69
# expected: MPL503
# symptom: NotImplementedError on macOS
import multiprocessing


def index(queue):
    while True:
        batch = queue.get()
        if batch is None:
            break
        print("pending:", queue.qsize())


if __name__ == "__main__":
    queue = multiprocessing.Queue()
    indexer = multiprocessing.Process(target=index, args=(queue,))
    indexer.start()
    queue.put([1])
    queue.put(None)
    indexer.join()
