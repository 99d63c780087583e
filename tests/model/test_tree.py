"""The tree and its indexes (:mod:`mplint.model.tree`)."""

from __future__ import annotations

import libcst as cst
import pytest

from .support import call_node, def_named, model_of, nth_node, source_of


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_pool.py", True),
        ("pool_test.py", True),
        ("tests/conftest.py", True),
        ("src/pkg/pool.py", False),
        ("tests/fixtures/MPL104.py", False),
    ],
)
def test_is_test_file(path: str, expected: bool) -> None:
    assert model_of("x = 1\n", path).tree.is_test_file is expected


# --- structure: containment, order, enclosing statements ------------------------------------------
TREE = """
import os
def f(x):
    if g(x):
        h(x); k(x)
    return [m(y) for y in x]
class C:
    n = p()
q = lambda: r()
"""


def test_contains() -> None:
    model = model_of(TREE)
    f = def_named(model, "f")
    g, h, k = (call_node(model, f"{n}(x)") for n in "ghk")
    p = call_node(model, "p()")
    if_ = nth_node(model, cst.If)
    assert model.contains(f, g) and model.contains(f, h) and model.contains(if_, k)
    assert model.contains(g, g)  # a node contains itself
    assert model.contains(g, g.func) and not model.contains(g.func, g)
    assert not model.contains(h, k) and not model.contains(k, h)  # siblings on one line
    assert not model.contains(h, model.parent(k))  # the node right after h's subtree
    assert not model.contains(f, p)
    assert model.contains(model.module, p)
    assert not model.contains(f, cst.Name("f"))  # a node of no tree
    assert not model.contains(cst.Name("f"), g)


def test_precedes() -> None:
    model = model_of(TREE)
    g, h, k = (call_node(model, f"{n}(x)") for n in "ghk")
    assert model.precedes(g, h) and model.precedes(h, k) and model.precedes(g, k)
    assert not model.precedes(h, g) and not model.precedes(g, g)
    assert model.precedes(nth_node(model, cst.If), g)  # a parent starts before its children
    assert model.precedes(cst.Name("f"), g)  # an unknown node counts as first
    assert not model.precedes(g, cst.Name("f"))


def test_statement_of() -> None:
    model = model_of(TREE)

    def statement(call: str) -> str:
        found = model.statement_of(call_node(model, call))
        assert found is not None
        return type(found).__name__ + ": " + source_of(model, found).strip().splitlines()[0]

    assert statement("g(x)") == "If: if g(x):"  # a compound statement's header
    assert statement("h(x)") == "SimpleStatementLine: h(x); k(x)"
    assert statement("k(x)") == "SimpleStatementLine: h(x); k(x)"
    assert statement("m(y)") == "SimpleStatementLine: return [m(y) for y in x]"
    assert statement("p()") == "SimpleStatementLine: n = p()"
    assert statement("r()") == "SimpleStatementLine: q = lambda: r()"
    f = def_named(model, "f")
    assert model.statement_of(f) is f
    assert model.statement_of(model.module) is None
    small = model.small_statement_of(call_node(model, "k(x)"))
    assert isinstance(small, cst.Expr) and source_of(model, small) == "k(x)"
    assert model.small_statement_of(call_node(model, "g(x)")) is None  # in an if header
    assert isinstance(model.small_statement_of(call_node(model, "m(y)")), cst.Return)


def test_enclosing_function_module_level_and_blocks() -> None:
    model = model_of(TREE)
    f = def_named(model, "f")
    assert model.enclosing_function_node(call_node(model, "m(y)")) is f
    assert model.enclosing_function_node(call_node(model, "p()")) is None
    r = call_node(model, "r()")
    assert isinstance(model.enclosing_function_node(r), cst.Lambda)
    assert model.enclosing_function_node(f) is None
    assert not model.tree.is_module_level(call_node(model, "p()"))  # a class body
    assert model.tree.is_module_level(f) and not model.tree.is_module_level(r)
    h_line = model.statement_of(call_node(model, "h(x)"))
    assert h_line is not None
    if_ = nth_node(model, cst.If)
    assert model.tree.block_of(h_line) == if_.body.body  # type: ignore[union-attr]
    assert model.tree.block_of(f) == model.module.body
    small = model.small_statement_of(call_node(model, "h(x)"))
    assert small is not None and model.tree.block_of(small) is None  # inside a line, not a block


def test_parents_and_ancestors() -> None:
    model = model_of(TREE)
    g = call_node(model, "g(x)")
    chain = [type(a).__name__ for a in model.ancestors(g)]
    assert chain == ["If", "IndentedBlock", "FunctionDef", "Module"]
    assert model.parent(g) is nth_node(model, cst.If)
    assert model.parent(model.module) is None


def test_nodes_of_and_name_uses() -> None:
    model = model_of(TREE)
    assert [source_of(model, i.test) for i in model.tree.nodes_of(cst.If)] == ["g(x)"]
    assert model.tree.nodes_of(cst.While) == []
    assert len(model.tree.nodes_of(cst.Call)) == len(model.tree.calls) == 6
    xs = model.tree.name_uses("x")
    assert len(xs) == 5 and all(n.value == "x" for n in xs)
    assert [model.tree.order[n] for n in xs] == sorted(model.tree.order[n] for n in xs)
    assert model.tree.name_uses("y") == [
        n for n in model.tree.order if isinstance(n, cst.Name) and n.value == "y"
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pkg/__main__.py", True),
        ("__main__.py", True),
        ("pkg\\__main__.py", True),
        ("main.py", False),
        ("<stdin>", False),
    ],
)
def test_is_main_file(path: str, expected: bool) -> None:
    assert model_of("x = 1\n", path).tree.is_main_file is expected


def test_name_uses_in_is_the_slice_of_name_uses_inside_a_node() -> None:
    model = model_of(TREE)
    f = def_named(model, "f")
    uses = model.tree.name_uses("x")
    inside = model.tree.name_uses_in("x", f)
    assert list(inside) == [u for u in uses if model.tree.contains(f, u)]
    assert [model.tree.order[u] for u in inside] == sorted(model.tree.order[u] for u in inside)
    # the parameter, g(x), h(x), k(x) and the comprehension's iterable
    assert len(inside) == 5
    assert list(model.tree.name_uses_in("x", model.tree.module)) == uses
    c = next(n for n in model.tree.nodes_of(cst.ClassDef) if n.name.value == "C")
    assert list(model.tree.name_uses_in("x", c)) == []
    assert list(model.tree.name_uses_in("nowhere", f)) == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [("analysis.ipynb", True), ("dir/Report.IPYNB", True), ("analysis.py", False), ("-", False)],
)
def test_is_interactive_main(path: str, expected: bool) -> None:
    assert model_of("x = 1\n", path).tree.is_interactive_main is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("p = make()\n", "p"),
        ("p: object = make()\n", None),  # an annotated assignment is not ``name = value``
        ("a = b = make()\n", None),  # two targets
        ("self.p = make()\n", None),  # an attribute, not a name
        ("p = [make()]\n", None),  # the call is not the whole value
        ("make()\n", None),
    ],
)
def test_assigned_name(source: str, expected: object) -> None:
    model = model_of(source)
    name = model.tree.assigned_name(call_node(model, "make()"))
    assert (name.value if name is not None else None) == expected
