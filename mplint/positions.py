"""Where a reported node is: line and column ranges, computed only for files that have something to report.

libcst's ``PositionProvider`` computes positions for every node of the module; a file with a finding needs a
handful. :class:`Positions` generates the code of the top-level statements that hold a reported node and
records offsets (:class:`OffsetState`); :class:`mplint.text.LineIndex` turns them into lines and columns.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Iterator, Mapping
from typing import Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

from mplint.chunks import statement_lines
from mplint.lru import BoundedCache
from mplint.suppression import noqa_line_map
from mplint.text import LineIndex

__all__ = ["OffsetState", "Positions", "StatementCodeCache"]


class OffsetState(CodegenState):
    """libcst's code generator, recording where each node's text starts and ends as offsets.

    libcst's PositionProvider computes line/column objects for every node of the module; a file with a
    finding needs a handful. Offsets are cheap to record; lines and columns are computed on demand.
    Ranges follow PositionProvider's rules (syntactic positions, hoisted from child nodes where libcst
    says so).
    """

    def __init__(self, module: cst.Module, *, start: int = 0, keep_text: bool = False) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.offset = start
        self._last = 0
        self.ranges: dict[cst.CSTNode, tuple[int, int]] = {}
        self._starts: list[int] = []
        self._keep_text = keep_text

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)
            if self._keep_text:
                self.tokens.append(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        self._last = len(value)
        if self._keep_text:
            self.tokens.append(value)

    def pop_trailing_newline(self) -> None:
        self.offset -= self._last  # as libcst drops the module's last newline token

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        if node not in self.ranges:
            self.ranges[node] = (start, self.offset)

    @contextlib.contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.ranges[start_node][0]
            if end_node is not None:
                end = self.ranges[end_node][1]
            self.ranges[node] = (start, end)


_STATEMENTS = (cst.SimpleStatementLine, cst.BaseCompoundStatement)

#: A top-level statement's generated code and its nodes' offsets relative to the statement's start.
_Generated = tuple[str, dict[cst.CSTNode, tuple[int, int]]]


class StatementCodeCache:
    """The generated code of top-level statements and the ``noqa`` maps of their text, kept from one lint
    to the next (least recently used first out), for a process that lints slightly edited texts again and
    again: with the piece cache (``mplint.chunks``), a statement that was not edited is the same node
    object in the next lint's tree, and its code and offsets are the same.

    Keyed by the statement node itself (the entry keeps it alive, so no other node can take its
    identity) and the module's default indent and newline, the only things outside the statement that
    its generated code depends on. A ``noqa`` map is keyed by the text it was read from.
    """

    def __init__(self, max_entries: int = 2_000) -> None:
        self.max_entries = max_entries
        self._code: BoundedCache[tuple[cst.CSTNode, str, str], _Generated] = BoundedCache(
            max_entries
        )
        self._noqa: BoundedCache[str, dict[int, int]] = BoundedCache(max_entries)

    def generated(self, statement: cst.CSTNode, module: cst.Module) -> _Generated:
        key = (statement, module.default_indent, module.default_newline)
        return self._code.get(key, lambda _: _generate(statement, module))

    def noqa_line_map(self, text: str) -> dict[int, int]:
        return self._noqa.get(text, noqa_line_map)


def _generate(statement: cst.CSTNode, module: cst.Module) -> _Generated:
    """The statement's code, generated alone, and its nodes' offsets from the statement's start."""
    state = OffsetState(module, keep_text=True)
    statement._codegen(state)
    return "".join(state.tokens), state.ranges


class Positions:
    """Node positions, computed only for files that have something to report, and only for the top-level
    statements that hold a reported node.

    A top-level statement's offset in the text comes from CPython's AST (the line its first token is
    on) less the length of its leading blank and comment lines; its nodes' offsets come from generating
    that statement's code alone, which must reproduce the text at that offset exactly. Anything that
    does not (a file without a final newline, a node outside every statement) falls back to generating
    the whole module once.
    """

    def __init__(
        self,
        module: cst.Module,
        text: str,
        tree: Optional[ast.Module] = None,
        parents: Optional[Mapping[cst.CSTNode, Optional[cst.CSTNode]]] = None,
        cache: Optional[StatementCodeCache] = None,
    ) -> None:
        self.module = module
        self._cache = cache
        self.text = text
        self.offsets: dict[cst.CSTNode, tuple[int, int]] = {}
        self.index = LineIndex(text)
        self.lines = self.index.lines
        self.newline = module.default_newline
        self._tree = tree
        self._parents = parents
        self._first_lines: Optional[dict[cst.CSTNode, int]] = None
        self._whole = False
        self._spans: dict[cst.CSTNode, tuple[int, int]] = {}  # statement -> (start, end) offsets
        self._segment_noqa: dict[cst.CSTNode, dict[int, int]] = {}
        self._module_noqa: Optional[dict[int, int]] = None

    def noqa_line(self, node: cst.CSTNode, line: int) -> int:
        """The line a ``# noqa`` for a finding at ``node`` (starting on ``line``) is read from: past the end
        of a multi-line string or a backslash continuation (``noqa_line_map``). Tokenizes only the
        top-level statement holding ``node`` when its span is known (no string or continuation crosses
        a top-level statement's end), else the whole file once."""
        statement = self._top_statement(node)
        span = self._spans.get(statement) if statement is not None else None
        if statement is None or span is None:
            if self._module_noqa is None:
                self._module_noqa = noqa_line_map(self.text)
            return self._module_noqa.get(line, line)
        mapping = self._segment_noqa.get(statement)
        if mapping is None:
            start, end = span
            first = self.index.position(start)[0] - 1  # 0-based line of the span
            segment = self.text[self.index.starts[first] : end]
            local = self._cache.noqa_line_map(segment) if self._cache else noqa_line_map(segment)
            mapping = {row + first: target + first for row, target in local.items()}
            self._segment_noqa[statement] = mapping
        return mapping.get(line, line)

    def _offsets_of(self, node: cst.CSTNode) -> tuple[int, int]:
        found = self.offsets.get(node)
        if found is None:
            if not self._whole and not self._generate_statement(node):
                self._generate_module()
            found = self.offsets[node]
        return found

    def _generate_module(self) -> None:
        state = OffsetState(self.module)
        self.module._codegen(state)
        self.offsets = state.ranges
        self._whole = True

    def _top_statement(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        if self._parents is None:
            return None
        current: Optional[cst.CSTNode] = node
        while current is not None:
            parent = self._parents.get(current)
            if parent is self.module:  # a statement, or a line of the module's header or footer
                return current if isinstance(current, _STATEMENTS) else None
            current = parent
        return None

    def _statement_lines(self) -> dict[cst.CSTNode, int]:
        """Each top-level statement's first line (its decorators' included), from CPython's AST."""
        if self._first_lines is None:
            lines = statement_lines(self._tree) if self._tree is not None else []
            body = self.module.body
            # Not the same statements (cannot happen for one text): trust nothing.
            self._first_lines = dict(zip(body, lines)) if len(lines) == len(body) else {}
        return self._first_lines

    def _generate_statement(self, node: cst.CSTNode) -> bool:
        statement = self._top_statement(node)
        line = self._statement_lines().get(statement) if statement is not None else None
        if statement is None or line is None or not 0 < line <= len(self.lines):
            return False
        assert isinstance(statement, _STATEMENTS)
        leading = "".join(self.module.code_for_node(empty) for empty in statement.leading_lines)
        start = self.index.starts[line - 1] - len(leading)
        if self._cache is not None:
            code, ranges = self._cache.generated(statement, self.module)
        else:
            code, ranges = _generate(statement, self.module)
        end = start + len(code)
        if start < 0 or self.text[start:end] != code:
            return False
        offsets = self.offsets
        for inner, (first, last) in ranges.items():
            offsets[inner] = (first + start, last + start)
        self._spans[statement] = (start, end)
        return node in offsets

    def range(self, node: cst.CSTNode) -> CodeRange:
        start, end = self._offsets_of(node)
        return CodeRange(
            CodePosition(*self.index.position(start)), CodePosition(*self.index.position(end))
        )

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def indent_of(self, line: int) -> str:
        text = self.line_text(line)
        return text[: len(text) - len(text.lstrip(" \t"))]

    def line_end(self, line: int) -> tuple[int, int]:
        """Position just past the line's text, before its line ending (1-based column)."""
        text = self.line_text(line).rstrip("\r\n")
        return line, len(text) + 1
