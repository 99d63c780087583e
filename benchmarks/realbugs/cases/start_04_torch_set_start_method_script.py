# realbug: a training launcher sets the forkserver start method at import of the script
# source: https://github.com/facebookresearch/SlowFast/issues/204
# expected: MPL202
# symptom: RuntimeError: context has already been set
import torch.multiprocessing

torch.multiprocessing.set_start_method("forkserver")


def main():
    print("train")


if __name__ == "__main__":
    main()
