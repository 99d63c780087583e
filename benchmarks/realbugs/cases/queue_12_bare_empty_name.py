# realbug: a frame reader catches a bare Empty that nothing imports
# source: https://github.com/hasegaw/IkaLog/pull/277
# expected: MPL502
# symptom: NameError: name 'Empty' is not defined when the queue times out
import multiprocessing


def read_frames(queue):
    while True:
        try:
            frame = queue.get(timeout=0.5)
        except Empty:
            continue
        if frame is None:
            break


if __name__ == "__main__":
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=read_frames, args=(q,))
    p.start()
    q.put(None)
    p.join()
