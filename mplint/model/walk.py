"""The traversal: visiting a libcst tree in libcst's order without rebuilding nodes, skipping trivia."""

from __future__ import annotations

import dataclasses

import libcst as cst


class _FieldRecorder(cst.CSTVisitor):
    """Learns, once per node type, the fields libcst visits and their order (source order)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)


_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


# Per type, fields that were None when the order was learned and that libcst did not visit then: a few
# nodes visit a field only when it is set (an f-string expression's format_spec), so such a type is learned
# again from the first node that has one of them set.
_UNSEEN_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _child_fields(node: cst.CSTNode) -> tuple[str, ...]:
    kind = type(node)
    found = _CHILD_FIELDS.get(kind)
    if found is not None:
        unseen = _UNSEEN_FIELDS[kind]
        if not unseen or all(getattr(node, name) is None for name in unseen):
            return found
    recorder = _FieldRecorder()
    node._visit_and_replace_children(
        recorder
    )  # libcst calls on_visit_attribute for the fields it visits
    found = _CHILD_FIELDS[kind] = tuple(dict.fromkeys(recorder.fields))
    _UNSEEN_FIELDS[kind] = tuple(
        f.name
        for f in dataclasses.fields(node)
        if f.name not in found and getattr(node, f.name) is None
    )
    return found


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
    for name in _child_fields(node):
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
