"""Helpers that several rules share.

Not a rule: the registry skips the modules of ``mplint.rules`` whose name starts with ``_``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

import libcst as cst

__all__ = ["descendants", "expression_line"]

_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


def descendants(node: cst.CSTNode, *, enter_scopes: bool = True) -> Iterator[cst.CSTNode]:
    """``node`` and every node below it, in pre-order.

    With ``enter_scopes=False`` the walk yields a function, lambda or class found below ``node`` but not
    what is inside it (``node`` itself is always entered).
    """
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if enter_scopes or current is node or not isinstance(current, _SCOPES):
            stack.extend(reversed(current.children))


def expression_line(
    statement: Optional[cst.CSTNode], expr: cst.BaseExpression
) -> Optional[cst.SimpleStatementLine]:
    """``statement`` when it is a line holding nothing but the expression statement ``expr`` (``p.start()``
    alone on its line: a fix can insert a line before or after it), else None."""
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and statement.body[0].value is expr
    ):
        return statement
    return None
