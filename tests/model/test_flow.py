"""When code runs: execution context, dominance, loops (:mod:`mplint.model.flow`)."""

from __future__ import annotations

import libcst as cst
import pytest

from mplint.model import ExecContext

from .support import POOL_HEADER, WHILE_LOOPS, call_node, def_named, model_of, source_of


def test_exec_context() -> None:
    model = model_of(
        """
        from typing import TYPE_CHECKING
        a()
        def f():
            b()
        class C:
            c()
        if TYPE_CHECKING:
            d()
        if __name__ == "__main__":
            e()
        else:
            g()
        if __name__ != "__main__":
            h()
        else:
            i()
        lam = lambda: j()
        """
    )
    expected = {
        "a()": ExecContext.IMPORT,
        "b()": ExecContext.FUNCTION,
        "c()": ExecContext.IMPORT,
        "d()": ExecContext.TYPING,
        "e()": ExecContext.GUARDED,
        "g()": ExecContext.IMPORT,
        "h()": ExecContext.IMPORT,
        "i()": ExecContext.GUARDED,
        "j()": ExecContext.FUNCTION,
    }
    for text, context in expected.items():
        assert model.exec_context(call_node(model, text)) is context, text


def test_main_file_never_runs_at_import() -> None:
    model = model_of("a()\n", path="pkg/__main__.py")
    assert not model.flow.runs_at_import(model.tree.calls[0])
    assert model_of("a()\n").flow.runs_at_import(model_of("a()\n").tree.calls[0]) is True


def test_dominance() -> None:
    model = model_of(
        """
        def f(flag, items):
            a()
            if flag:
                b()
            c()
            for x in items:
                d()
                e()
            try:
                g()
            finally:
                h()
            with ctx() as w:
                i()
            j(); k()
        """
    )
    call = {model.module.code_for_node(c): c for c in model.tree.calls}
    assert model.dominates(call["a()"], call["c()"])
    assert model.dominates(call["a()"], call["b()"])
    assert not model.dominates(call["b()"], call["c()"])  # a branch may skip it
    assert model.dominates(call["d()"], call["e()"])
    assert not model.dominates(call["e()"], call["d()"])
    assert not model.dominates(call["d()"], call["h()"])  # the loop may not run
    assert not model.dominates(call["g()"], call["h()"])  # g may raise before finishing
    assert model.dominates(call["ctx()"], call["i()"])  # a with header runs before its body
    assert model.dominates(call["j()"], call["k()"])
    assert not model.dominates(call["c()"], call["a()"])


def test_dominance_does_not_cross_functions() -> None:
    model = model_of(
        """
        a()
        def f():
            b()
        """
    )
    call = {model.module.code_for_node(c): c for c in model.tree.calls}
    assert not model.dominates(call["a()"], call["b()"])


LOOP_BODIES = """
def go(items, p):
    for item in items:
        a()
        if item:
            b()
        with ctx:
            c()
        try:
            d()
        except OSError:
            e()
        finally:
            f()
        for x in item:
            g()
        h() if item else None
    while True:
        i()
        break
    for _ in range(1):
        j()
    for _ in [1]:
        k()
    for item in items:
        m()
        if item:
            break
    for item in items: n()
"""


def test_loops_and_passes() -> None:
    model = model_of(LOOP_BODIES, path="case.py")

    def at(name: str) -> cst.Call:
        return call_node(model, f"{name}()")

    first = model.flow.enclosing_loops(at("a"))[0]
    assert isinstance(first, cst.For)
    assert len(model.flow.enclosing_loops(at("g"))) == 2
    every = {name: model.flow.runs_each_iteration(at(name), first) for name in "abcdefgh"}
    assert every == {
        "a": True,
        "b": False,
        "c": True,
        "d": True,
        "e": False,
        "f": True,
        "g": False,
        "h": False,
    }
    assert model.flow.loop_may_repeat(first)
    assert not model.flow.loop_may_repeat(model.flow.enclosing_loops(at("i"))[0])
    assert not model.flow.loop_may_repeat(model.flow.enclosing_loops(at("j"))[0])
    assert not model.flow.loop_may_repeat(model.flow.enclosing_loops(at("k"))[0])
    assert model.flow.loop_may_repeat(
        model.flow.enclosing_loops(at("m"))[0]
    )  # the break is conditional
    suite = model.flow.enclosing_loops(at("n"))[0]
    assert model.flow.runs_each_iteration(at("n"), suite) and model.flow.loop_may_repeat(suite)
    assert model.flow.enclosing_loops(def_named(model, "go")) == []


def test_innermost_loop() -> None:
    model = model_of(
        POOL_HEADER
        + """
def go(pool, xs, rows):
    first = [pool.apply(work, (x,)) for x in pool.apply(work, (xs,))]
    for row in rows:
        total = pool.apply(work, (row,))
    while pool.apply(work, (0,)):
        pass
    return pool.apply(work, (1,))
"""
    )
    assert isinstance(
        model.flow.innermost_loop(call_node(model, "pool.apply(work, (x,))")), cst.ListComp
    )
    assert model.flow.innermost_loop(call_node(model, "pool.apply(work, (xs,))")) is None
    assert isinstance(
        model.flow.innermost_loop(call_node(model, "pool.apply(work, (row,))")), cst.For
    )
    assert isinstance(
        model.flow.innermost_loop(call_node(model, "pool.apply(work, (0,))")), cst.While
    )
    assert model.flow.innermost_loop(call_node(model, "pool.apply(work, (1,))")) is None


def test_loop_exits_early() -> None:
    model = model_of(
        "def go(xs):\n"
        "    for x in xs:\n"
        "        if x:\n"
        "            break\n"
        "    for x in xs:\n"
        "        for y in x:\n"
        "            break\n"
    )
    loops = [n for n in model.tree.order if isinstance(n, cst.For)]
    assert model.flow.loop_exits_early(loops[0])
    assert not model.flow.loop_exits_early(loops[1])


def test_earlier_statements_stop_at_the_function() -> None:
    model = model_of(
        """
        def before(p):
            p.join()
        def f(p, q):
            p.start()
            for x in q:
                p.join()
            if q:
                q.get()
        """
    )
    get = call_node(model, "q.get()")
    earlier = [
        source_of(model, s).strip().splitlines()[0] for s in model.flow.earlier_statements(get)
    ]
    assert earlier == ["p.start()", "for x in q:"]


def test_runs_whenever_scope_runs() -> None:
    model = model_of(
        "def f(flag, items):\n"
        "    a()\n"
        "    with ctx:\n"
        "        b()\n"
        "    try:\n"
        "        c()\n"
        "    except E:\n"
        "        d()\n"
        "    if flag:\n"
        "        e()\n"
        "    for x in g():\n"
        "        h()\n"
        "    flag and i()\n"
        "    [j() for _ in items]\n",
        path="case.py",
        dedent=False,
    )
    verdicts = {
        model.module.code_for_node(call.func): model.flow.runs_whenever_scope_runs(call)
        for call in model.tree.calls
    }
    assert verdicts == {
        "a": True,
        "b": True,
        "c": True,
        "d": False,
        "e": False,
        "g": True,
        "h": False,
        "i": False,
        "j": False,
    }


@pytest.mark.parametrize(
    ("function", "infinite"),
    [("a", True), ("b", True), ("c", True), ("d", True), ("e", True), ("f", True), ("g", False)],
)
def test_infinite_loops(function: str, infinite: bool) -> None:
    model = model_of(WHILE_LOOPS)
    loop = model.names.functions[function].body.body[0]
    assert isinstance(loop, cst.While)
    assert model.flow.is_infinite_loop(loop) is infinite
