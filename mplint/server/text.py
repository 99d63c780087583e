"""A document's text and its positions, as the editor counts them and as the engine does.

The engine counts 1-based lines and code points. The server keeps its own copy of every open document
(full-text sync), split into lines the way LSP and the Python tokenizer do (``\\r\\n``, ``\\r``, ``\\n``; not
``str.splitlines``, which also breaks at form feeds and U+2028), maps the engine's positions to offsets
exactly as ``apply_edits`` does, and converts columns to the negotiated position encoding (UTF-16 unless the
client offers UTF-8 or UTF-32).
"""

from __future__ import annotations

import difflib

from lsprotocol import types

from mplint.text import LineIndex
from mplint.text import char_count as chars
from mplint.text import unit_count as units

__all__ = ["ENCODINGS", "Text", "chars", "diff_edits", "units"]

#: The position encodings the server can count in (LSP's ``PositionEncodingKind`` values).
ENCODINGS = ("utf-8", "utf-16", "utf-32")


class Text:
    """A document's text over the engine's :class:`~mplint.text.LineIndex` (LSP line breaks: ``\\r\\n``,
    ``\\r`` and ``\\n``; the index is built on first use)."""

    __slots__ = ("_index", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._index: LineIndex | None = None

    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index

    @property
    def starts(self) -> list[int]:
        return self.index.starts

    def line_bounds(self, index: int) -> tuple[int, int]:
        """Offsets of the start and of the end (before the line break) of line ``index`` (0-based)."""
        return self.index.line_bounds(index)

    def line(self, index: int) -> str:
        start, end = self.line_bounds(index)
        return self.text[start:end]

    def segments(self) -> list[str]:
        """The lines with their line breaks."""
        return self.index.lines

    def offset(self, position: types.Position, encoding: str) -> int:
        return self.index.unit_offset(position.line, position.character, encoding)

    def position_at(self, offset: int, encoding: str) -> types.Position:
        line, character = self.index.unit_position(offset, encoding)
        return types.Position(line=line, character=character)

    def range_at(self, start: int, end: int, encoding: str) -> types.Range:
        """The range between two offsets."""
        return types.Range(
            start=self.position_at(start, encoding), end=self.position_at(end, encoding)
        )

    def engine_offset(self, line: int, column: int) -> int:
        """Offset of the engine's 1-based line and 1-based code-point column.

        Counted exactly as the fixer counts them, so that a quick fix changes what ``--fix`` would. The
        engine breaks lines where LSP does; what differs is the column: code points, added to the line's
        start without being clamped to the line, where the editor counts code units of the negotiated
        encoding.
        """
        return self.index.offset(max(line, 1), max(column, 1))

    def engine_range(
        self, line: int, column: int, end_line: int, end_column: int, encoding: str
    ) -> types.Range:
        return self.range_at(
            self.engine_offset(line, column), self.engine_offset(end_line, end_column), encoding
        )

    def apply(self, change: types.TextDocumentContentChangeEvent, encoding: str) -> Text:
        if isinstance(change, types.TextDocumentContentChangePartial):
            start = self.offset(change.range.start, encoding)
            end = max(start, self.offset(change.range.end, encoding))
            return Text(self.text[:start] + change.text + self.text[end:])
        return Text(change.text)


def diff_edits(old: Text, new: str, encoding: str) -> list[types.TextEdit]:
    """Line-wise minimal edits turning ``old`` into ``new``."""
    before = old.segments()
    after = Text(new).segments()
    starts = [*old.starts[: len(before)], len(old.text)]
    edits: list[types.TextEdit] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            types.TextEdit(
                range=old.range_at(starts[i1], starts[i2], encoding),
                new_text="".join(after[j1:j2]),
            )
        )
    return edits
