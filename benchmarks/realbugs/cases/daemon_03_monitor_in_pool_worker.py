# realbug: a stats monitor starts a subprocess while the pipeline runs inside a pool worker
# source: https://github.com/facebookresearch/spdl/pull/1590
# expected: MPL106
# symptom: AssertionError: daemonic processes are not allowed to have children
import multiprocessing


def read_proc_stats(pid):
    print("stats for", pid)


def start_monitor(pid):
    proc = multiprocessing.Process(target=read_proc_stats, args=(pid,))
    proc.start()
    return proc


def run_stage(stage):
    monitor = start_monitor(stage)
    monitor.join()
    return stage


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(pool.map(run_stage, [1, 2]))
