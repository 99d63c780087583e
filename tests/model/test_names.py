"""Names, scopes, bindings and variable keys (:mod:`mplint.model.names`)."""

from __future__ import annotations

from typing import Optional

import libcst as cst
import pytest

from .support import POOL_HEADER, call_node, def_named, model_of


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
