"""CST readers that need no model (:mod:`mplint.model.syntax`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import libcst as cst
import pytest

from mplint.model import is_main_guard_test
from mplint.model.syntax import (
    call_argument,
    calls_in_expression,
    child_nodes,
    descendants,
    dotted_name,
    has_decorator,
    is_classmethod,
    is_false_literal,
    is_none_literal,
    is_true_literal,
    is_type_checking_test,
    keyword_arg,
    last_name,
    literal_elements,
    literal_items,
    literal_keywords,
    positional_args,
    root_name,
    scope_descendants,
    string_value,
    tuple_elements,
)


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ('__name__ == "__main__"', True),
        ("'__main__' == __name__", True),
        ('__name__ == "__main__" and not x', True),
        ('__name__ != "__main__"', False),
        ('__name__ == "main"', None),
        ("x == y", None),
    ],
)
def test_main_guard_spellings(test: str, expected: bool | None) -> None:
    assert is_main_guard_test(cst.parse_expression(test)) is expected


def expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def call_of(code: str) -> cst.Call:
    parsed = expr(code)
    assert isinstance(parsed, cst.Call)
    return parsed


def source(node: Optional[cst.CSTNode]) -> Optional[str]:
    return cst.Module([]).code_for_node(node) if node is not None else None


# --- call arguments -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "position", "keyword", "expected"),
    [
        ("f(a, b)", 0, "x", "a"),
        ("f(a, b)", 1, "x", "b"),
        ("f(a, b)", 2, "x", None),
        ("f(a, x=b)", 1, "x", "b"),
        ("f(x=b, *rest)", 0, "x", "b"),
        ("f(*rest, a)", 0, "x", None),  # positions after a star are unknown
        ("f(a, **kw)", 1, "x", None),
        ("f(y=a)", 0, "x", None),
    ],
)
def test_call_argument(call: str, position: int, keyword: str, expected: Optional[str]) -> None:
    assert source(call_argument(call_of(call), position, keyword)) == expected


def test_positional_and_keyword_args() -> None:
    call = call_of("f(a, b, *c, d, e=1, **g)")
    assert [source(a.value) for a in positional_args(call)] == ["a", "b"]
    found = keyword_arg(call, "e")
    assert found is not None and source(found.value) == "1"
    assert keyword_arg(call, "g") is None and keyword_arg(call, "a") is None


# --- literals -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "expected"),
    [("a", "a"), ("a.b.c", "a.b.c"), ("a().b", None), ("a[0].b", None), ("'a'", None)],
)
def test_dotted_name(code: str, expected: Optional[str]) -> None:
    assert dotted_name(expr(code)) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("a", "a"), ("a.b.c", "a"), ("a().b", None), ("a[0].b", None), ("'a'.join", None)],
)
def test_root_name(code: str, expected: Optional[str]) -> None:
    found = root_name(expr(code))
    assert (found.value if found is not None else None) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("a", "a"), ("a.b.c", "c"), ("a().b", "b"), ("a()", None), ("a[0]", None), ("'a'", None)],
)
def test_last_name(code: str, expected: Optional[str]) -> None:
    assert last_name(expr(code)) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("'spawn'", "spawn"),
        ('"fork"', "fork"),
        ("b'x'", None),
        ("f'x'", None),
        ("'a' 'b'", None),
        ("x", None),
    ],
)
def test_string_value(code: str, expected: Optional[str]) -> None:
    assert string_value(expr(code)) == expected


def test_string_value_of_nothing() -> None:
    assert string_value(None) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("(a, b)", ["a", "b"]),
        ("[a]", ["a"]),
        ("()", []),
        ("(a, *b)", None),
        ("{a}", None),
        ("x", None),
    ],
)
def test_tuple_and_literal_elements(code: str, expected: Optional[list[str]]) -> None:
    elements = tuple_elements(expr(code))
    assert (None if elements is None else [source(e) for e in elements]) == expected
    listed = literal_elements(expr(code))
    assert (None if listed is None else [source(e) for e in listed]) == expected
    assert literal_elements(None) == [] and tuple_elements(None) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("{'a': 1, 'b': x}", {"a": "1", "b": "x"}),
        ("dict(a=1)", {"a": "1"}),
        ("{}", {}),
        ("{k: 1}", None),
        ("{**other}", None),
        ("dict(other)", None),
        ("dict(**other)", None),
        ("make(a=1)", None),
    ],
)
def test_literal_keywords(code: str, expected: Optional[dict[str, str]]) -> None:
    found = literal_keywords(expr(code))
    assert (None if found is None else {k: source(v) for k, v in found.items()}) == expected
    assert literal_keywords(None) == {}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("[a, b]", ["a", "b"]),
        ("(a, *b)", ["a", None]),
        ("[f(x) for x in y]", ["f(x)"]),
        ("(f(x) for x in y)", ["f(x)"]),
        ("{f(x) for x in y}", ["f(x)"]),
        ("{a, b}", None),
        ("range(3)", None),
    ],
)
def test_literal_items(code: str, expected: Optional[list[Optional[str]]]) -> None:
    found = literal_items(expr(code))
    assert (None if found is None else [source(e) for e in found]) == expected


@pytest.mark.parametrize(
    ("code", "true", "false", "none"),
    [
        ("True", True, False, False),
        ("1", True, False, False),
        ("False", False, True, False),
        ("0", False, True, False),
        ("None", False, False, True),
        ("2", False, False, False),
        ("0.0", False, False, False),
        ("x", False, False, False),
    ],
)
def test_constant_literals(code: str, true: bool, false: bool, none: bool) -> None:
    node = expr(code)
    assert is_true_literal(node) is true
    assert is_false_literal(node) is false
    assert is_none_literal(node) is none


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("TYPE_CHECKING", True),
        ("typing.TYPE_CHECKING", True),
        ("t.TYPE_CHECKING", True),
        ("not TYPE_CHECKING", False),
        ("other.TYPE_CHECKING", False),
        ("DEBUG", False),
    ],
)
def test_type_checking_test(code: str, expected: bool) -> None:
    assert is_type_checking_test(expr(code)) is expected


# --- decorators and subtrees ----------------------------------------------------------------------
def test_decorators() -> None:
    module = cst.parse_module(
        "@classmethod\ndef a(cls): pass\n@staticmethod\n@functools.cache\ndef b(): pass\n"
        "@functools.classmethod\ndef c(): pass\n"
    )
    a, b, c = (s for s in module.body if isinstance(s, cst.FunctionDef))
    assert is_classmethod(a) and not is_classmethod(b) and not is_classmethod(c)
    assert has_decorator(b, "staticmethod") and has_decorator(b, "classmethod", "staticmethod")
    assert not has_decorator(b, "cache")  # only bare names count
    assert not has_decorator(a, "staticmethod")


def test_descendants_and_scope_descendants() -> None:
    module = cst.parse_module(
        "def f():\n    a(b())\n    def g():\n        c()\n    h = lambda: d()\n"
    )
    (f,) = module.body
    assert isinstance(f, cst.FunctionDef)
    every = list(descendants(f))
    assert every[0] is f
    calls = [source(c.func) for c in calls_in_expression(f)]
    assert calls == ["a", "b", "c", "d"]  # pre-order, nested scopes included
    own = {source(n.func) for n in scope_descendants(f.body) if isinstance(n, cst.Call)}
    assert own == {"a", "b"}  # not inside the nested def or the lambda
    assert any(isinstance(n, cst.FunctionDef) for n in scope_descendants(f.body))  # the def itself


def test_child_nodes_are_libcsts_children() -> None:
    """``child_nodes`` reads the visited fields; it must give exactly ``node.children``, trivia included,
    on every node of real code (f-strings with format specs, match statements, decorators …)."""
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    texts = [path.read_text(encoding="utf-8") for path in sorted(fixtures.glob("MPL*.py"))]
    texts.append(
        'x = f"{a!r:>{width}} {b=}"\nmatch p:\n    case [1, *rest] if rest:\n        pass\n'
    )
    checked = 0
    for text in texts:
        stack: list[cst.CSTNode] = [cst.parse_module(text)]
        while stack:
            node = stack.pop()
            children = list(node.children)
            found = child_nodes(node)
            assert len(found) == len(children) and all(a is b for a, b in zip(found, children))
            stack.extend(children)
            checked += 1
    assert checked > 100_000
