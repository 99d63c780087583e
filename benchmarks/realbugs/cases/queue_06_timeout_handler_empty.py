# realbug: a timeout handler joins with a timeout, then trusts queue.empty() to find the result
# source: https://github.com/PrefectHQ/prefect/pull/5213
# expected: MPL503
# symptom: intermittently no result although the function finished; deadlock while pulling the result
# why-missed: the empty() test follows terminate() of the only producer, which MPL503 takes as a stopped producer whose queue is settled
import multiprocessing


def run_with(queue, fn, args):
    queue.put(fn(*args))


def run_with_timeout(fn, args, timeout):
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=run_with, args=(queue, fn, args))
    process.start()
    process.join(timeout)
    process.terminate()
    if not queue.empty():
        return queue.get()
    raise TimeoutError("no result")


if __name__ == "__main__":
    print(run_with_timeout(sum, ([1, 2],), 5))
