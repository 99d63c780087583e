# realbug: a web UI sets the spawn start method at module level, after a library already chose one
# source: https://github.com/SUC-DriverOld/MSST-WebUI/issues/36
# expected: MPL202
# symptom: RuntimeError: context has already been set
import multiprocessing

import gradio  # imports torch, which may set the start method

multiprocessing.set_start_method("spawn")


def launch():
    print("launching")


if __name__ == "__main__":
    launch()
