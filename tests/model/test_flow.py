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


# --- dominance, case by case ----------------------------------------------------------------------
DOMINANCE = """
def f(flag, items):
    a()
    if t():
        b()
    else:
        c()
    while w():
        d()
    try:
        e()
    except E:
        g()
    with k() as x, l() as y:
        n()
    for z in it():
        o()
    else:
        p()
    bb() and cc()
    v() if flag else None
    def inner():
        dd()
    lam = lambda: ll()
    ee()
"""


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("a", "b", True),  # an earlier statement of an enclosing block
        ("a", "ee", True),
        ("t", "b", True),  # an if test runs before either branch
        ("t", "c", True),
        ("b", "c", False),  # the branches exclude each other
        ("b", "ee", False),
        ("w", "d", True),  # a while test runs before its body
        ("d", "ee", False),  # the loop body may not run
        ("e", "g", False),  # the try body may raise before the call
        ("e", "ee", False),
        ("a", "g", True),
        ("k", "l", True),  # with items run in order, before the body
        ("l", "n", True),
        ("it", "o", True),  # a for's iterable runs before its body
        ("it", "p", True),
        ("o", "p", False),
        ("bb", "cc", True),  # left of ``and`` first
        ("a", "dd", False),  # not across functions
        ("dd", "ee", False),
        ("a", "a", False),  # nothing dominates itself
        ("ee", "a", False),  # nor what comes before it
    ],
)
def test_dominates(a: str, b: str, expected: bool) -> None:
    model = model_of(DOMINANCE)
    assert model.dominates(call_node(model, f"{a}()"), call_node(model, f"{b}()")) is expected


@pytest.mark.parametrize(
    ("statement", "a", "b"),
    [
        ("u() if v() else w()", "u", "w"),  # exclusive branches of a conditional expression
        ("[r() for _ in s()]", "r", "s"),  # the iterable is evaluated first
        ("h(lambda: g(), i())", "g", "i"),  # a lambda body runs only when called
        ("c() and d()\n    e()", "d", "e"),  # a short-circuit may skip the call
        ("v() if flag else None\n    e()", "v", "e"),
    ],
)
def test_dominance_within_one_statement(statement: str, a: str, b: str) -> None:
    model = model_of(f"def f():\n    {statement}\n")
    assert not model.dominates(call_node(model, f"{a}()"), call_node(model, f"{b}()"))


# --- execution context, case by case --------------------------------------------------------------
CONTEXTS = """
import typing
from typing import TYPE_CHECKING
class C(base()):
    attr = class_body()
    def m(self):
        method_body()
if __name__ == "__main__" and guard_test():
    class G:
        guarded_class()
    if other():
        nested()
    lam = lambda: in_lambda()
    for i in loop():
        in_loop()
elif elif_test():
    after_guard()
if typing.TYPE_CHECKING:
    typed()
else:
    untyped()
if not TYPE_CHECKING:
    negated()
while __name__ == "__main__":
    in_while()
x = [comp() for _ in range(2)]
try:
    tried()
except ImportError:
    handled()
"""


@pytest.mark.parametrize(
    ("call", "context"),
    [
        ("base()", ExecContext.IMPORT),
        ("class_body()", ExecContext.IMPORT),
        ("method_body()", ExecContext.FUNCTION),
        ("guard_test()", ExecContext.IMPORT),  # the guard's own test runs at import
        ("guarded_class()", ExecContext.GUARDED),
        ("other()", ExecContext.GUARDED),
        ("nested()", ExecContext.GUARDED),
        ("in_lambda()", ExecContext.FUNCTION),
        ("loop()", ExecContext.GUARDED),
        ("in_loop()", ExecContext.GUARDED),
        ("elif_test()", ExecContext.IMPORT),
        ("after_guard()", ExecContext.IMPORT),
        ("typed()", ExecContext.TYPING),
        ("untyped()", ExecContext.IMPORT),
        ("negated()", ExecContext.IMPORT),
        ("in_while()", ExecContext.IMPORT),  # only an if is a guard
        ("comp()", ExecContext.IMPORT),
        ("tried()", ExecContext.IMPORT),
        ("handled()", ExecContext.IMPORT),
    ],
)
def test_exec_context_cases(call: str, context: ExecContext) -> None:
    model = model_of(CONTEXTS)
    assert model.exec_context(call_node(model, call)) is context


@pytest.mark.parametrize("call", ["deco()", "default()", "annotation()"])
def test_exec_context_of_a_def_header(call: str) -> None:
    model = model_of("@deco()\ndef f(x=default()) -> annotation():\n    body()\n")
    assert model.exec_context(call_node(model, "body()")) is ExecContext.FUNCTION
    assert model.exec_context(call_node(model, call)) is ExecContext.IMPORT
