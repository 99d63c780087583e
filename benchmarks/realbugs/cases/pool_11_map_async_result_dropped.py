# realbug: pre-analysis runs with map_async and never looks at the result: failures are silent
# source: https://github.com/Ericsson/codechecker/pull/3728
# expected: MPL303
# symptom: exceptions raised by pre_analyze are never seen; the analysis reports success
import multiprocessing


def pre_analyze(action):
    if not action:
        raise ValueError("empty action")
    return action


def run_pre_analysis(actions, jobs):
    pool = multiprocessing.Pool(jobs)
    try:
        pool.map_async(pre_analyze, actions)
        pool.close()
    except Exception:
        pool.terminate()
        raise
    finally:
        pool.join()


if __name__ == "__main__":
    run_pre_analysis(["a", ""], 2)
