"""Helpers that several rules share.

Not a rule: the registry skips the modules of ``mplint.rules`` whose name starts with ``_``.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

__all__ = ["descendants"]

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
