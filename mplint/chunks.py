"""Parsing a module one top-level statement at a time, with a cache: for a text that is edited and linted
again and again (the language server), only the statements that changed are parsed again.

CPython's AST (which the engine builds anyway, to check the syntax) gives the line each top-level
statement starts on. The text is cut there; each piece is parsed by libcst on its own and looked up by
its text in a bounded cache; the pieces are joined into one ``Module``. The result is the tree a parse of
the whole text gives (``tests/test_chunks.py`` compares them with ``deep_equals`` on real code): comments
and blank lines before a statement, which a piece's parse puts in its module footer, are moved to the
next statement's leading lines, where a whole-text parse puts them.

Anything the joining cannot reproduce exactly returns None, and the caller parses the whole text: pieces
that disagree on the indentation or newline libcst detects (tab-indented files, mixed newlines), a piece
whose parse fails or does not give its text back even when joined with the pieces after it. A piece
whose text comes twice in the module is copied for its second place: every node of the joined tree is a
distinct object, as in a whole-text parse.
"""

from __future__ import annotations

import ast
from typing import Optional, Union

import libcst as cst

from mplint.lru import BoundedCache
from mplint.text import split_lines_keepends

__all__ = ["ChunkCache", "statement_lines"]

_Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]


class ChunkCache:
    """Parsed top-level pieces by their text (least recently used first out)."""

    def __init__(self, max_pieces: int = 20_000) -> None:
        self.max_pieces = max_pieces
        self._pieces: BoundedCache[str, Optional[cst.Module]] = BoundedCache(max_pieces)
        #: a piece's first statement joined with the lines carried before it, and those lines
        self._heads: BoundedCache[cst.Module, tuple[tuple[cst.EmptyLine, ...], _Statement]] = (
            BoundedCache(max_pieces)
        )

    @property
    def hits(self) -> int:
        return self._pieces.hits

    @property
    def misses(self) -> int:
        return self._pieces.misses

    def _piece(self, text: str) -> Optional[cst.Module]:
        """The piece's tree; None when it cannot stand for the piece in the joined module (see
        ``_reproduces``)."""
        return self._pieces.get(text, _parse_piece)

    def parse(self, text: str, tree: ast.Module) -> Optional[cst.Module]:
        """``text`` parsed piece by piece, or None where that cannot give the whole-text tree."""
        starts = statement_lines(tree)
        if len(starts) < 2:
            return None  # nothing to gain
        lines = split_lines_keepends(text)
        bounds = [0, *(line - 1 for line in starts[1:]), len(lines)]
        pieces: list[cst.Module] = []
        used: set[int] = set()
        index = 0
        while index < len(bounds) - 1:
            # A piece that cannot stand alone is joined with the next one, until it can.
            for end in range(index + 1, len(bounds)):
                try:
                    piece = self._piece("".join(lines[bounds[index] : bounds[end]]))
                except (cst.ParserSyntaxError, RecursionError):
                    piece = None
                if piece is not None:
                    break
            else:
                return None
            if id(piece) in used:
                # The same text twice (``x = []`` on two lines): a node may appear only once in a
                # tree, since the model indexes nodes by identity.
                piece = piece.deep_clone()
            used.add(id(piece))
            pieces.append(piece)
            index = end
        return self._join(pieces)

    def _with_leading(self, piece: cst.Module, carried: tuple[cst.EmptyLine, ...]) -> _Statement:
        """The piece's first statement with ``carried`` (the previous piece's footer) before its own
        leading lines: the same object as last time when the piece and the lines are, so that what is
        kept about a statement from one lint to the next (its generated code) is found again."""
        head = piece.body[0]
        known = self._heads.find(piece)
        if (
            known is not None
            and len(known[0]) == len(carried)
            and all(a is b for a, b in zip(known[0], carried))
        ):
            return known[1]
        joined = head.with_changes(leading_lines=(*carried, *head.leading_lines))
        self._heads.put(piece, (carried, joined))
        return joined

    def _join(self, pieces: list[cst.Module]) -> Optional[cst.Module]:
        first = pieces[0]
        indent, newline = first.default_indent, first.default_newline
        body: list[_Statement] = list(first.body)
        carried: tuple[cst.EmptyLine, ...] = tuple(first.footer)
        for piece in pieces[1:]:
            if piece.default_indent != indent or piece.default_newline != newline:
                return None
            if piece.header or not piece.body:
                return None  # a piece starts at a statement's first line: nothing comes before it
            body.append(self._with_leading(piece, carried) if carried else piece.body[0])
            body.extend(piece.body[1:])
            carried = tuple(piece.footer)
        last = pieces[-1]
        return cst.Module(
            body=body,
            header=first.header,
            footer=carried,
            encoding=first.encoding,
            default_indent=indent,
            default_newline=newline,
            has_trailing_newline=last.has_trailing_newline,
        )


def _parse_piece(text: str) -> Optional[cst.Module]:
    """The tree of one piece, or None when it does not give its text back (``_reproduces``)."""
    parsed = cst.parse_module(text)
    return parsed if _reproduces(parsed, text) else None


def _reproduces(piece: cst.Module, text: str) -> bool:
    """The piece gives its text back, and so do its footer lines on their own, as they will be generated
    once moved to the next statement's leading lines. (libcst can drop an indented comment that ends a
    piece: seen after a bracketed statement followed by indented comment lines.)"""
    if piece.code != text:
        return False
    if not piece.footer:
        return True
    lines = split_lines_keepends(text)
    tail = "".join(lines[len(lines) - len(piece.footer) :])
    return "".join(piece.code_for_node(line) for line in piece.footer) == tail


def statement_lines(tree: ast.Module) -> list[int]:
    """The distinct lines the top-level statements start on (their first decorator's, if any): one per
    libcst top-level statement, in order (statements that share a line, ``a = 1; b = 2``, are one
    ``SimpleStatementLine`` in libcst)."""
    lines: list[int] = []
    for node in tree.body:
        decorators = getattr(node, "decorator_list", None)
        line = decorators[0].lineno if decorators else node.lineno
        if not lines or line > lines[-1]:
            lines.append(line)
    return lines
