# realbug: a brute-force script throttles its producer on queue.qsize()
# source: https://github.com/Isaacdelly/Plutus/issues/35
# expected: MPL503
# symptom: NotImplementedError: sem_getvalue() is not implemented on this platform (macOS)
import multiprocessing
import time


def check(queue):
    while True:
        key = queue.get()
        if key is None:
            return


def main():
    queue = multiprocessing.Queue()
    worker = multiprocessing.Process(target=check, args=(queue,))
    worker.start()
    for key in range(1000):
        while queue.qsize() > 100:
            time.sleep(0.01)
        queue.put(key)
    queue.put(None)
    worker.join()


if __name__ == "__main__":
    main()
