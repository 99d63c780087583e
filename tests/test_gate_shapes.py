"""The shapes of code the thread-capable rules' gates look for (``mplint.gate_shapes``): each is found
where its rule could report, and absent from ordinary thread code."""

from __future__ import annotations

import ast
import textwrap

import pytest

from mplint.gate_shapes import (
    DAEMON_AFTER_START,
    QUEUE_EXCEPTION,
    SHAPES,
    START_AGAIN,
    THREAD_ARGS,
    THREAD_SUBCLASS,
    THREAD_TARGET,
    UNSTARTED_JOIN_OR_RUN,
    shapes_of,
)
from mplint.gates import needs


def _shapes(source: str) -> frozenset[str]:
    return shapes_of(ast.parse(textwrap.dedent(source)))


ORDINARY = """
import queue
import threading
from threading import Thread

class Worker(threading.Thread):
    def __init__(self, jobs):
        super().__init__(daemon=True)
        self.jobs = jobs

    def run(self):
        try:
            self.jobs.get(timeout=1)
        except queue.Empty:
            pass

def main(items, args):
    threads = [Thread(target=work, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t = Thread(target=work, kwargs={"a": 1}, args=args)
    t.daemon = True
    t.start()
    t.join()
    w = Worker(queue.Queue())
    w.start()
    w.join()
    print(", ".join(items), "x".join(["a"]))
"""


def test_ordinary_thread_code_has_no_shape() -> None:
    assert _shapes(ORDINARY) == set()


@pytest.mark.parametrize(
    ("source", "shape"),
    [
        ("from threading import Thread\nThread(work)\n", THREAD_TARGET),
        ("import threading\nthreading.Thread(target=work())\n", THREAD_TARGET),
        ("import threading as th\nth.Thread(None, work())\n", THREAD_TARGET),
        ("from threading import Thread as T\nT(work)\n", THREAD_TARGET),
        ("from threading import Thread\nMaker = Thread\nMaker(work)\n", THREAD_TARGET),
        ("import threading\nclass W(threading.Thread): pass\nW(work)\n", THREAD_TARGET),
        ("from threading import Thread\nThread(**options)\n", THREAD_TARGET),
        (
            "import threading\ndef f(x: str):\n    threading.Thread(target=f, args=(x))\n",
            THREAD_ARGS,
        ),
        ("import threading\nthreading.Thread(target=f, args='ab')\n", THREAD_ARGS),
        ("import threading\nthreading.Thread(target=f, kwargs=None)\n", THREAD_ARGS),
        ("import threading\nthreading.Thread(None, f, 'n', 5)\n", THREAD_ARGS),
        ("import threading\na = 'x'\nthreading.Thread(target=f, args=a)\n", THREAD_ARGS),
        ("t = make()\nt.start()\nt.start()\n", START_AGAIN),
        ("t = make()\nfor i in range(3):\n    t.start()\n", START_AGAIN),
        ("while True:\n    threads[0].start()\n", START_AGAIN),
        ("from threading import Thread\nt = Thread(target=f)\nt.join()\n", UNSTARTED_JOIN_OR_RUN),
        (
            "from threading import Thread\nt = Thread(target=f)\nt.join()\nt.start()\n",
            UNSTARTED_JOIN_OR_RUN,
        ),
        (
            "from threading import Thread\nt = Thread()\nt.start()\nt = Thread()\nt.join()\n",
            UNSTARTED_JOIN_OR_RUN,
        ),
        ("from threading import Thread\nThread(target=f).join()\n", UNSTARTED_JOIN_OR_RUN),
        ("def make():\n    pass\nt = make()\nt.run()\n", UNSTARTED_JOIN_OR_RUN),
        ("def go(t):\n    t.run()\n", UNSTARTED_JOIN_OR_RUN),
        ("for t in threads:\n    t.run()\n", UNSTARTED_JOIN_OR_RUN),
        ("from threading import Thread\nts = [Thread()]\nts[0].join()\n", UNSTARTED_JOIN_OR_RUN),
        ("t = make()\nt.start()\nt.daemon = True\n", DAEMON_AFTER_START),
        (
            "import threading\nclass W(threading.Thread):\n    def __init__(self):\n"
            "        self.x = 1\n",
            THREAD_SUBCLASS,
        ),
        (
            "import threading\nclass W(threading.Thread):\n    def __init__(self):\n"
            "        self.name = 'w'\n        super().__init__()\n",
            THREAD_SUBCLASS,
        ),
        (
            "import dataclasses, threading\n@dataclasses.dataclass\nclass W(threading.Thread):\n"
            "    x: int\n",
            THREAD_SUBCLASS,
        ),
        (
            "import threading\nclass W(threading.Thread):\n    def start(self):\n        pass\n",
            THREAD_SUBCLASS,
        ),
        ("try:\n    q.get()\nexcept Queue.Empty:\n    pass\n", QUEUE_EXCEPTION),
        ("try:\n    q.get()\nexcept Empty:\n    pass\n", QUEUE_EXCEPTION),
        (
            "import queue\ntry:\n    q.put_nowait(1)\nexcept queue.Empty:\n    pass\n",
            QUEUE_EXCEPTION,
        ),
        (
            "import queue\ntry:\n    q.get(False)\nexcept (queue.Full,):\n    pass\n",
            QUEUE_EXCEPTION,
        ),
    ],
)
def test_each_shape_is_found(source: str, shape: str) -> None:
    assert shape in _shapes(source)


@pytest.mark.parametrize(
    "source",
    [
        "from threading import Thread\nThread(target=work, args=(1,), kwargs={})\n",
        "import threading\nthreading.Thread(target=f, args=(x))\n",  # nothing says what x is
        "import threading\nclass W(threading.Thread):\n    def __init__(self, q):\n"
        "        super().__init__()\nW(q)\n",
        "import threading\nthread = threading.Thread(target=f)\nthread(work)\n",  # not a class
        "f()(x)\ntable[k](y)\n",  # nothing names a thread class
        "from threading import Thread\nt = Thread()\nt.start()\nt.join()\n",
        "t = make()\nt.start()\nt = make()\nt.start()\n",
        "for t in threads:\n    t.start()\n",
        "for i in range(3):\n    t = make()\n    t.start()\n",
        "from threading import Thread\nfor t in ts:\n    t.join()\nt = Thread()\nt.start()\n",
        "for t in ts:\n    t.start()\nt = make()\nt.daemon = True\nt.start()\n",
        "t.daemon = True\nt.start()\n",
        "' '.join(words)\nos.path.join(a, b)\npairs = s.split()\npairs[1].join(x)\n",
        "import subprocess\nsubprocess.run(['true'])\n",
        "def f(t):\n    t.join()\n",
        "from queue import Empty\ntry:\n    q.get()\nexcept Empty:\n    pass\n",
        "import queue\ntry:\n    q.put(1)\nexcept (queue.Empty, queue.Full):\n    pass\n",
        "import threading\nclass W(threading.Thread):\n    def run(self):\n        pass\n",
    ],
)
def test_near_misses_have_no_shape(source: str) -> None:
    assert _shapes(source) == set()


def test_deep_trees_are_read_or_have_every_shape() -> None:
    node: ast.expr = ast.Constant(1)
    for _ in range(5000):
        node = ast.UnaryOp(ast.USub(), node)
    deep = ast.parse("x = 1")
    deep.body[0].value = node  # type: ignore[attr-defined]
    assert shapes_of(deep) == set()  # the walk itself does not recurse
    chain: ast.expr = ast.Name("t", ast.Load())
    for _ in range(5000):
        chain = ast.Attribute(chain, "a", ast.Load())
    start = ast.Call(ast.Attribute(chain, "start", ast.Load()), [], [])
    deep.body[0].value = start  # type: ignore[attr-defined]
    assert shapes_of(deep) == SHAPES  # a receiver too deep to spell: every shape, to be safe


def test_unknown_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown shapes"):
        needs(frozenset({"threading"}), shapes=("thread-tagret",))
