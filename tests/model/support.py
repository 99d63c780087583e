"""What the model's unit tests (``tests/model/``) and the tests of rule predicates (``tests/rules/``)
share: building a model from a snippet, finding nodes in it, and the snippets more than one file uses."""

from __future__ import annotations

import textwrap
from typing import Optional, TypeVar

import libcst as cst

from mplint.kinds import KindName
from mplint.model import FunctionNode, Model, Submission, build_model

_NodeT = TypeVar("_NodeT", bound=cst.CSTNode)


def model_of(
    code: str, path: str = "mod.py", start_method: Optional[str] = None, *, dedent: bool = True
) -> Model:
    """The model of ``code`` (dedented unless ``dedent=False``) as the file ``path``, with the configured
    default start method ``start_method``."""
    source = textwrap.dedent(code) if dedent else code
    return build_model(cst.parse_module(source), path, start_method)


def source_of(model: Model, node: cst.CSTNode) -> str:
    return model.module.code_for_node(node)


def call_node(model: Model, text: str, nth: int = 0) -> cst.Call:
    """The ``nth`` call whose source is ``text``."""
    found = [c for c in model.tree.calls if source_of(model, c) == text]
    assert len(found) > nth, (text, [source_of(model, c) for c in model.tree.calls])
    return found[nth]


def name_node(model: Model, value: str, nth: int = 0) -> cst.Name:
    """The ``nth`` ``Name`` spelled ``value`` in source order (reads and bindings; -1 for the last)."""
    found = model.tree.name_uses(value)
    assert len(found) > nth if nth >= 0 else len(found) >= -nth, (value, nth, len(found))
    return found[nth]


def nth_node(model: Model, kind: type[_NodeT], nth: int = 0) -> _NodeT:
    """The ``nth`` node of type ``kind`` in source order."""
    found = [n for n in model.tree.order if isinstance(n, kind)]
    assert len(found) > nth, (kind.__name__, nth)
    return found[nth]


def def_named(model: Model, name: str) -> cst.FunctionDef:
    """The first ``def name`` in source order, at any depth (methods and nested functions too)."""
    for candidate in model.tree.order:
        if isinstance(candidate, cst.FunctionDef) and candidate.name.value == name:
            return candidate
    raise AssertionError(f"no function {name}")


def value_of(model: Model, target: str) -> cst.BaseExpression:
    """The value assigned to ``target`` by its last assignment (``x = <value>``)."""
    found: Optional[cst.BaseExpression] = None
    for candidate in model.tree.order:
        if isinstance(candidate, cst.Assign) and any(
            model.module.code_for_node(t.target) == target for t in candidate.targets
        ):
            found = candidate.value
    assert found is not None, target
    return found


def submission_by(model: Model, text: str) -> Submission:
    """The first submission made by the call whose source is ``text``."""
    made = call_node(model, text)
    found = [s for s in model.submissions() if s.call is made]
    assert found, text
    return found[0]


def loads(model: Model, name: str, inside: Optional[str] = None) -> list[cst.Name]:
    """The reads (``load`` and ``augment`` uses) of ``name``, only those in ``def inside`` if given."""
    found = [
        n for n in model.tree.name_uses(name) if model.names.variable_use(n) in ("load", "augment")
    ]
    if inside is not None:
        owner: FunctionNode = def_named(model, inside)
        found = [n for n in found if model.enclosing_function_node(n) is owner]
    return found


def kind_name(model: Model, name: str, inside: str) -> Optional[KindName]:
    """The kind of the first read of ``name`` in ``def inside``."""
    kind = model.kind_of(loads(model, name, inside)[0])
    return kind.name if kind is not None else None


# --- snippets more than one test file reads ------------------------------------------------------

#: Imports and a task for the pool tests (unindented: tests append unindented code to it).
POOL_HEADER = """\
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.pool import ThreadPool
def work(x): return x
"""


#: Queues of each kind and calls that may or may not raise queue.Empty/Full.
QUEUE_CALLS = """
import multiprocessing as mp, queue
q = mp.Queue(maxsize=4)
u = mp.Queue()
s = mp.SimpleQueue()
t = queue.Queue(0)
m = mp.Manager().Queue(2)
q.get()
q.get(True)
q.get(False)
q.get(timeout=1)
q.get(True, None)
q.get_nowait()
q.put(1)
q.put(1, False)
q.put(1, block=True, timeout=3)
q.put_nowait(1)
s.get()
t.get(block=flag)
m.put(1, timeout=1)
other.get_nowait()
"""


#: ``while`` loops that end or not, one function each.
WHILE_LOOPS = """
import sys
def stop():
    raise SystemExit
def a(q):
    while True:
        q.get()
def b(q):
    while True:
        if q.get() is None:
            break
def c(q):
    while True:
        for x in q.get():
            break
def d(q):
    while 1:
        if q.get() == "stop":
            sys.exit(0)
def e(q):
    while True:
        if q.get() == "stop":
            stop()
def f(q):
    while True:
        try:
            q.get()
        except Exception:
            return
def g(q):
    while q:
        q.get()
"""


#: Workers handed a queue by arguments, a subclass's constructor, a global and a closure.
WORKERS = """
import multiprocessing as mp

def emit(out, x):
    out.put(x)

def producer(results, n):
    for i in range(n):
        emit(results, i)
    results.close()

class Writer(mp.Process):
    def __init__(self, sink, name):
        super().__init__()
        self.sink = sink
        self.label = name

    def run(self):
        self.sink.put(self.label)

shared = mp.Queue()

def uses_global():
    shared.put(1)

def main():
    results = mp.Queue()
    p = mp.Process(target=producer, args=(results, 3))
    w = Writer(results, "w")
    g = mp.Process(target=uses_global)
    def closure():
        results.put("closure")
    c = mp.Process(target=closure)
    for proc in (p, w, g, c):
        proc.start()
    p.join()
    return results.get(), shared.get()
"""


#: Process subclasses whose ``__init__`` calls the base one, or not, or is generated.
INITS = """
import dataclasses
import attr
from multiprocessing import Process

def configure(process): Process.__init__(process)

class Direct(Process):
    def __init__(self):
        self.x = 1
        super().__init__()

class Explicit(Process):
    def __init__(self):
        Process.__init__(self)

class OldSuper(Process):
    def __init__(self):
        super(OldSuper, self).__init__()

class Helper(Process):
    def __init__(self):
        self._setup()
    def _setup(self):
        super().__init__()

class HandsOut(Process):
    def __init__(self):
        configure(self)

class UnknownMethod(Process):
    def __init__(self):
        self.setup_from_mixin()

class Missing(Process):
    def __init__(self):
        print(isinstance(self, Process))
        self.x = 1

@dataclasses.dataclass
class Data(Process):
    x: int = 1

@dataclasses.dataclass(init=False)
class NoInit(Process):
    x: int = 1

@attr.s
class Attrs(Process):
    pass

@dataclasses.dataclass
class Own(Process):
    def __init__(self):
        super().__init__()

class StartsItself(Process):
    def __init__(self):
        super().__init__()
        self.start()
"""
