# realbug: a test script sets the spawn start method at module level, so each spawned child sets it again
# source: https://github.com/DeepLabCut/DeepLabCut/issues/1362
# expected: MPL202
# symptom: RuntimeError: context has already been set, raised in every child while it re-imports the script
import multiprocessing as mp

mp.set_start_method("spawn")


def analyze(video):
    return video


if __name__ == "__main__":
    with mp.Pool(2) as pool:
        print(pool.map(analyze, ["a.avi", "b.avi"]))
