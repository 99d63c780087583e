# realbug: a function defined inside a loop is submitted with apply_async to a module-level pool
# source: https://github.com/python/cpython/issues/96464
# expected: MPL203 MPL201
# symptom: AttributeError: Can't pickle local object 'go.<locals>.hello', raised into the error callback
import multiprocessing

pool = multiprocessing.Pool(4)


def on_error(exc):
    print("failed:", exc)


def go():
    for i in range(40):

        def hello(j):
            print(f"hello {i} {j}")

        pool.apply_async(hello, (i + 1,), error_callback=on_error)
    pool.close()
    pool.join()


go()
