"""Names, scopes, bindings and variable keys (:mod:`mplint.model.names`)."""

from __future__ import annotations

from typing import Optional

import libcst as cst
import pytest

from mplint.model import BindingKind, LocalVar, Model, SelfAttr

from .support import POOL_HEADER, call_node, def_named, model_of, name_node, nth_node, source_of


@pytest.mark.parametrize(
    ("imports", "expr", "expected"),
    [
        ("import multiprocessing", "multiprocessing.Process", "multiprocessing.Process"),
        ("import multiprocessing as mp", "mp.Pool", "multiprocessing.Pool"),
        ("from multiprocessing import Pool as P", "P", "multiprocessing.Pool"),
        (
            "from multiprocessing.pool import ThreadPool",
            "ThreadPool",
            "multiprocessing.pool.ThreadPool",
        ),
        (
            "import concurrent.futures",
            "concurrent.futures.ProcessPoolExecutor",
            "concurrent.futures.ProcessPoolExecutor",
        ),
        (
            "import concurrent.futures as cf",
            "cf.ProcessPoolExecutor",
            "concurrent.futures.ProcessPoolExecutor",
        ),
        (
            "from torch import multiprocessing as tmp",
            "tmp.Process",
            "torch.multiprocessing.Process",
        ),
        ("import multiprocessing as mp\nProc = mp.Process", "Proc", "multiprocessing.Process"),
        ("from multiprocessing import *", "Queue", "multiprocessing.Queue"),
        ("", "TimeoutError", "builtins.TimeoutError"),
    ],
)
def test_qualname(imports: str, expr: str, expected: str) -> None:
    model = model_of(f"{imports}\nx = {expr}\n")
    assignment = model.module.body[-1]
    assert isinstance(assignment, cst.SimpleStatementLine)
    statement = assignment.body[0]
    assert isinstance(statement, cst.Assign)
    assert model.qualname(statement.value) == expected


def test_local_import_and_shadowing() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def f():
            from multiprocessing import Pool
            return Pool()
        def g(Pool):
            return Pool()
        """
    )
    calls = [c for c in model.tree.calls if model.module.code_for_node(c) == "Pool()"]
    assert model.qualname(calls[0].func) == "multiprocessing.Pool"
    assert model.qualname(calls[1].func) is None  # a parameter shadows nothing we know


def test_binding_keys_and_rebinding() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def f():
            p = mp.Process()
            p.start()
            p = mp.Process()
            p.join()
        """
    )
    start = call_node(model, "p.start()")
    join = call_node(model, "p.join()")
    key = model.binding_key(start.func.value)  # type: ignore[attr-defined]
    assert key == model.binding_key(join.func.value)  # type: ignore[attr-defined]
    assert key is not None and model.names.rebound_between(key, start, join)
    assert model.calls_on(key, ("start", "join")) == [start, join]


def test_uses_between_and_name_uses() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(): pass
        def go(launch):
            p = mp.Process(target=work)
            launch(p)
            p.join()
        """,
        path="case.py",
    )
    join = model.tree.method_calls["join"][0]
    key = model.binding_key(join.func.value)  # type: ignore[attr-defined]
    assert key is not None
    creation = model.values.creation_before(key, join)
    assert creation is not None
    uses = model.names.uses_between(key, creation, join)
    assert len(uses) == 1 and isinstance(model.parent(uses[0]), cst.Arg)
    assert len(model.tree.name_uses("p")) == 3
    assert model.tree.name_uses("missing") == []


def test_container_reads_skip_storing_calls() -> None:
    model = model_of(
        POOL_HEADER
        + """
def go(pool, xs):
    pending = []
    for x in xs:
        pending.append(pool.apply_async(work, (x,)))
    return pending
"""
    )
    flow = model.values.value_flow(call_node(model, "pool.apply_async(work, (x,))"))
    assert flow.key is not None
    reads = model.names.container_reads(flow.key)
    assert [model.module.code_for_node(model.tree.parents[r]) for r in reads] == ["return pending"]


def test_variable_use() -> None:
    model = model_of(
        """
        import os.path as osp
        from a.b import c
        x = 1
        x += 2
        u, (w, *rest) = 1, (2, 3)
        for i in range(3):
            del i
        def f(p, *, k=x):
            global g
            print(p.attr, f(k=p))
        with open(x) as fh:
            pass
        """,
        path="<stdin>",
    )

    def uses(name: str) -> list[Optional[str]]:
        return [model.names.variable_use(n) for n in model.tree.name_uses(name)]

    assert uses("x") == ["store", "augment", "load", "load"]
    assert uses("w") == ["store"]
    assert uses("b") == [None]  # part of a module name
    assert uses("rest") == ["store"]
    assert uses("i") == ["store", "del"]
    assert uses("p") == [None, "load", "load"]
    assert uses("k") == [None, None]
    assert uses("attr") == [None]
    assert uses("g") == [None]
    assert uses("fh") == ["store"]
    assert uses("osp") == [None]
    assert uses("c") == [None]


def test_new_variable_is_safe() -> None:
    model = model_of(
        """
        def work(lock):
            pass
        def main():
            queue = 1
            print(len(queue))
            return event
        """,
        path="<stdin>",
    )
    body = def_named(model, "main").body
    first = body.body[0]
    assert model.names.new_variable_is_safe("lock", first)  # only another function's parameter
    assert not model.names.new_variable_is_safe("queue", first)  # bound here
    assert not model.names.new_variable_is_safe("event", first)  # read here as a global
    assert not model.names.new_variable_is_safe("len", first)  # a builtin
    assert not model.names.new_variable_is_safe("class", first)


# --- lookup: Python's LEGB rule -------------------------------------------------------------------
SCOPES = """
x = "module"
def outer():
    x = "outer"
    def inner():
        return x
    class K:
        x = "class"
        y = x
        def method(self):
            return x
    return inner
def uses_global():
    global x
    return x
def unbound():
    return missing
lam = lambda x: x
"""


def values_of(model: Model, name: str, at: cst.CSTNode) -> list[str]:
    return [
        source_of(model, b.value) if b.value is not None else b.how.value
        for b in model.lookup(name, at)
    ]


def test_lookup_follows_legb_and_skips_class_bodies() -> None:
    model = model_of(SCOPES)
    reads = model.tree.name_uses("x")
    by_function = {}
    for read in reads:
        if model.names.variable_use(read) != "load":
            continue
        owner = model.names.scope_of(read).node
        label = (
            owner.name.value if isinstance(owner, (cst.FunctionDef, cst.ClassDef)) else "<lambda>"
        )
        by_function[label] = values_of(model, "x", read)
    assert by_function == {
        "inner": ['"outer"'],
        "K": ['"class"'],  # the class body sees its own names
        "method": ['"outer"'],  # a method does not
        "uses_global": ['"module"'],
        "<lambda>": ["param"],
    }
    missing = name_node(model, "missing")
    assert model.lookup("missing", missing) == []
    scope, bindings = model.names.lookup_in_scope("x", name_node(model, "x", -1))
    assert scope is model.names.scopes[nth_node(model, cst.Lambda)] and len(bindings) == 1
    assert model.names.lookup_in_scope("missing", missing) == (None, [])


def test_scope_of() -> None:
    model = model_of(SCOPES)
    assert model.names.scope_of(model.module.body[0]) is model.names.module_scope
    inner = def_named(model, "inner")
    assert model.names.scope_of(inner.body) is model.names.scopes[inner]
    assert (
        model.names.scope_of(inner) is model.names.scopes[def_named(model, "outer")]
    )  # a def's name
    k = nth_node(model, cst.ClassDef)
    assert model.names.scope_of(k.body) is model.names.scopes[k]


# --- binding keys ----------------------------------------------------------------------------------
def test_binding_keys_of_locals_globals_and_self_attributes() -> None:
    model = model_of(
        """
        counter = 0
        class Job:
            def __init__(self, n):
                self.n = n
            def run(this):
                return this.n
            @staticmethod
            def helper(n):
                return n
        def work(n):
            global counter
            counter += n
            return other.n, missing
        """
    )
    module = model.module
    job = model.names.classes["Job"].node
    work = def_named(model, "work")
    init_n = nth_node(model, cst.Attribute)
    assert model.binding_key(init_n) == SelfAttr(job, "n")
    run_n = next(a for a in model.tree.nodes_of(cst.Attribute) if source_of(model, a) == "this.n")
    assert model.binding_key(run_n) == SelfAttr(job, "n")  # whatever the first parameter is called
    other = next(a for a in model.tree.nodes_of(cst.Attribute) if source_of(model, a) == "other.n")
    assert model.binding_key(other) is None
    assert model.binding_key(name_node(model, "counter", 2)) == (module, "counter")  # global
    helper = def_named(model, "helper")
    (returned,) = model.tree.returns[helper]
    assert returned.value is not None and model.binding_key(returned.value) == (helper, "n")
    assert model.binding_key(name_node(model, "missing")) == (module, "missing")
    receiver = model.names.receiver_key(other)
    assert receiver == ("code", work, "other.n")
    assert model.names.receiver_key(name_node(model, "counter", 2)) == (module, "counter")


def test_assignments_of() -> None:
    model = model_of(
        """
        def f(p):
            x = 1
            for x in p:
                pass
            p = 2
        class K:
            def __init__(self):
                self.a = 1
            def reset(self):
                self.a = 2
        """
    )
    f = def_named(model, "f")
    assert [source_of(model, n) for n in model.names.assignments_of(LocalVar(f, "x"))] == ["x", "x"]
    assert len(model.names.assignments_of(LocalVar(f, "p"))) == 1  # not the parameter
    k = model.names.classes["K"].node
    assert [source_of(model, n) for n in model.names.assignments_of(SelfAttr(k, "a"))] == [
        "self.a",
        "self.a",
    ]
    assert model.names.assignments_of(SelfAttr(k, "b")) == []
    assert model.names.assignments_of(LocalVar(cst.Name("nowhere"), "x")) == []


# --- resolving functions and classes ---------------------------------------------------------------
RESOLVE = """
import functools
def top(): pass
square = lambda x: x
class Base:
    def shared(self): pass
class Child(Base):
    def own(self): pass
    def use(self):
        return self.own, self.shared, Child.own, Base.shared, self.missing
def twice(): pass
def twice(): pass
use(top, square, functools.partial(top, 1), lambda: 0, twice, Child, print, functools.partial())
"""


def test_resolve_function() -> None:
    model = model_of(RESOLVE)
    use = call_node(
        model,
        "use(top, square, functools.partial(top, 1), lambda: 0, twice, Child, print, functools.partial())",
    )
    resolved = [model.names.resolve_function(a.value) for a in use.args]
    top = model.names.functions["top"]
    assert resolved[0] is top and resolved[2] is top
    assert isinstance(resolved[1], cst.Lambda) and isinstance(resolved[3], cst.Lambda)
    assert resolved[4:] == [None, None, None, None]  # two defs, a class, a builtin, no arguments
    returned = model.tree.returns[def_named(model, "use")][0].value
    assert isinstance(returned, cst.Tuple)
    methods = [model.names.resolve_function(e.value) for e in returned.elements]
    assert methods[:4] == [
        def_named(model, "own"),
        def_named(model, "shared"),
        def_named(model, "own"),
        def_named(model, "shared"),
    ]
    assert methods[4] is None


def test_resolve_class_and_class_method() -> None:
    model = model_of(RESOLVE + "Alias = Child\ndef f(Child): return Child\n")
    child = model.names.classes["Child"]
    uses = [n for n in model.tree.name_uses("Child") if model.names.variable_use(n) == "load"]
    assert model.names.resolve_class(uses[0]) is child  # Child.own
    assert model.names.resolve_class(uses[-1]) is None  # a parameter of that name
    assert model.names.resolve_class(name_node(model, "Alias")) is None  # only the class's own name
    assert model.names.class_method(child, "own") is def_named(model, "own")
    assert model.names.class_method(child, "shared") is def_named(model, "shared")  # inherited
    assert model.names.class_method(child, "missing") is None
    assert model.names.class_method(model.names.classes["Base"], "own") is None


def test_cyclic_bases_end() -> None:
    model = model_of("class A(B): pass\nclass B(A): pass\n")
    assert model.names.class_method(model.names.classes["A"], "run") is None


# --- imports, reads and references -----------------------------------------------------------------
def test_visible_import() -> None:
    model = model_of(
        """
        import queue
        import multiprocessing as mp
        from os import path
        import os
        os = None
        def f(queue):
            return queue, mp, path, os, missing
        def g():
            return queue
        """
    )
    at = def_named(model, "f").body
    assert model.names.visible_import("queue", at) is None  # a parameter there
    assert model.names.visible_import("mp", at) == "multiprocessing"
    assert model.names.visible_import("path", at) == "os.path"
    assert model.names.visible_import("os", at) is None  # also assigned
    assert model.names.visible_import("missing", at) is None
    assert model.names.visible_import("queue", def_named(model, "g").body) == "queue"


def test_names_read_in_and_variable_loads() -> None:
    model = model_of(
        """
        total = 0
        def f(items):
            global total
            total += len(items)
            g = lambda: items
            return [x for x in items], total
        """
    )
    f = def_named(model, "f")
    read = [n.value for n in model.names.names_read_in(f)]
    assert read == ["total", "len", "items", "items", "x", "items", "total"]
    module = model.module
    loads = model.names.variable_loads(LocalVar(module, "total"))
    assert [model.names.variable_use(n) for n in loads] == ["augment", "load"]
    assert model.names.variable_loads(LocalVar(f, "items")) == [
        n for n in model.tree.name_uses("items") if model.names.variable_use(n) == "load"
    ]
    assert model.names.references((module, "total", "x")) == []


def test_self_class() -> None:
    """Only the first parameter of an instance method stands for an instance of its class."""
    model = model_of(
        """
        class Job:
            def run(self, other): pass
            @classmethod
            def make(cls): pass
            @staticmethod
            def helper(first): pass
        def free(first): pass
        """
    )
    found = {
        f"{binding.node.name.value}": model.names.self_class(binding)
        for scope in model.names.scopes.values()
        for bindings in scope.bindings.values()
        for binding in bindings
        if binding.how is BindingKind.PARAM
    }
    assert {name: info.name if info else None for name, info in found.items()} == {
        "self": "Job",
        "other": None,
        "cls": None,
        "first": None,
    }
