# realbug: a notebook kernel runs as a daemonic process, and the cells it runs use a Pool
# source: https://github.com/marimo-team/marimo/pull/487
# expected: MPL106
# symptom: AssertionError: daemonic processes are not allowed to have children
import multiprocessing


def square(x):
    return x * x


def launch_kernel(cells):
    for cell in cells:
        with multiprocessing.Pool(2) as pool:
            print(cell, pool.map(square, range(cell)))


if __name__ == "__main__":
    kernel = multiprocessing.Process(target=launch_kernel, args=([2, 3],), daemon=True)
    kernel.start()
    kernel.join()
