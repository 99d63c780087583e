"""The traversal: visiting a libcst tree in libcst's order without rebuilding nodes, skipping trivia."""

from __future__ import annotations

import libcst as cst

from mplint.model.syntax import child_fields

#: Whitespace, comments and punctuation: no rule is about them, and they are most of a tree's nodes. The
#: model's pass does not enter them, so they have no parent, order or replay event (rules cannot visit
#: them: ``LintRule`` refuses such visitors); they are still in the tree and in generated code.
TRIVIA: frozenset[type[cst.CSTNode]] = frozenset(
    {
        cst.SimpleWhitespace,
        cst.ParenthesizedWhitespace,
        cst.Newline,
        cst.TrailingWhitespace,
        cst.EmptyLine,
        cst.Comment,
        cst.Comma,
        cst.Dot,
        cst.AssignEqual,
        cst.Colon,
        cst.Semicolon,
        cst.LeftParen,
        cst.RightParen,
        cst.LeftSquareBracket,
        cst.RightSquareBracket,
        cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
    }
)


_NOTHING: frozenset[type[cst.CSTNode]] = frozenset()


def walk(
    node: cst.CSTNode,
    visitor: cst.CSTVisitor,
    skip: frozenset[type[cst.CSTNode]] = _NOTHING,
) -> None:
    """Visit ``node`` and its descendants in libcst's order, calling only ``on_visit`` (children are skipped
    when it returns False) and ``on_leave``: what ``node.visit(visitor)`` does for a read-only visitor,
    without rebuilding every node on the way back up (libcst's visit constructs a copy of each node).
    Descendants whose type is in ``skip`` are not entered, nor is anything below them."""
    if not visitor.on_visit(node):
        visitor.on_leave(node)
        return
    for name in child_fields(node):
        value = getattr(node, name)
        if value is None or value is cst.MaybeSentinel.DEFAULT:
            continue
        if type(value) is tuple or type(value) is list:
            for child in value:
                if type(child) not in skip:
                    walk(child, visitor, skip)
        elif type(value) not in skip:
            walk(value, visitor, skip)
    visitor.on_leave(node)
