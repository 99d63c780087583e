# witness: exits 0
# witness: no value "hello"
# witness: value "child exitcode" = "1"
# witness: stderr has "TypeError: greet() takes 1 positional argument but 4 were given"
"""MPL102 args-not-a-tuple: `args=("egon")` is a string, not a 1-tuple.

The string is unpacked character by character, so the child calls
greet("e", "g", "o", "n") and dies in multiprocessing/process.py, BaseProcess.run:

    TypeError: greet() takes 1 positional argument but 4 were given

Expected: the parent exits 0 (it is not told), the child's exitcode is 1 and the
traceback is on stderr; greet never prints.
"""

import multiprocessing


def greet(name):
    print(f"hello: {name}", flush=True)


if __name__ == "__main__":
    p = multiprocessing.Process(target=greet, args=("egon"))  # BUG: no comma, a str
    p.start()
    p.join()
    print(f"child exitcode: {p.exitcode}", flush=True)
