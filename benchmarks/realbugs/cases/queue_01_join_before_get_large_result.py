# realbug: a code runner joins its child before reading the child's result from the queue
# source: https://github.com/n8n-io/n8n/pull/19084
# expected: MPL501
# symptom: hangs once the result exceeds 64 KB (the pipe buffer)
import multiprocessing


def run_code(code, queue):
    queue.put({"result": code * 100000})


def execute(code):
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=run_code, args=(code, queue))
    process.start()
    process.join()
    return queue.get()


if __name__ == "__main__":
    print(len(execute("x")["result"]))
