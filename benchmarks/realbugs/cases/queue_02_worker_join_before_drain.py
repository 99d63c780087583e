# realbug: an IFC worker runs the job in a spawned process and joins it before draining its result
# source: https://github.com/jonatanjacobsson/ifcpipeline/pull/28
# expected: MPL501
# symptom: a 262 KB report hung for 17+ minutes at 0% CPU
import multiprocessing


def check_model(path, results):
    results.put(("ok", "report " * 50000))


def run_job(path):
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=check_model, args=(path, results))
    proc.start()
    proc.join()
    status, data = results.get()
    return status, data


if __name__ == "__main__":
    print(run_job("model.ifc")[0])
