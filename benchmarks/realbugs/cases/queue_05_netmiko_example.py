# realbug: a multiprocess example puts each device's output on a queue and joins every process first
# source: https://github.com/ktbyers/netmiko/pull/511
# expected: MPL501
# symptom: deadlock for a large number of returned results
from multiprocessing import Process, Queue


def show_version(device, mp_queue):
    mp_queue.put({device: "output " * 20000})


def main(devices):
    mp_queue = Queue()
    procs = []
    for device in devices:
        proc = Process(target=show_version, args=(device, mp_queue))
        proc.start()
        procs.append(proc)
    for proc in procs:
        proc.join()
    results = []
    for _ in procs:
        results.append(mp_queue.get())
    return results


if __name__ == "__main__":
    print(len(main(["r1", "r2"])))
