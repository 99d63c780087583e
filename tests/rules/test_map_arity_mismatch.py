"""The predicates of the ``map_arity_mismatch`` rule."""

from __future__ import annotations

from typing import Optional

import pytest

from mplint.rules._helpers import positional_arity

from ..model.support import model_of


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("two", (2, 2)),
        ("defaulted", (1, 2)),
        ("star", (1, None)),
        ("functools.partial(two, 1)", (1, 1)),
        ("functools.partial(three, c=1)", (2, 2)),
        ("functools.partial(three, a=1)", None),
        ("lambda a, b: a", (2, 2)),
        ("self.method", (2, 2)),
        ("Klass.method", (3, 3)),
        ("Klass.static", (2, 2)),
        ("Klass.cm", (1, 1)),
        ("decorated", None),
        ("print", None),
    ],
)
def test_positional_arity(expr: str, expected: Optional[tuple[int, Optional[int]]]) -> None:
    model = model_of(
        f"""
import functools
def two(a, b): pass
def three(a, b, c): pass
def defaulted(a, b=1): pass
def star(a, *rest): pass
@functools.lru_cache
def decorated(a, b): pass
class Klass:
    def method(self, a, b): pass
    @staticmethod
    def static(a, b): pass
    @classmethod
    def cm(cls, a): pass
    def use(self):
        return {expr}
"""
    )
    returned = model.tree.returns[
        model.names.functions["use"]
        if "use" in model.names.functions
        else model.names.classes["Klass"].methods["use"]
    ][0]
    assert returned.value is not None
    assert positional_arity(model, returned.value) == expected
