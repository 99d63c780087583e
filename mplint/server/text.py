"""A document's text and its positions, as the editor counts them and as the engine does.

The engine counts 1-based lines and code points. The server keeps its own copy of every open document
(full-text sync), split into lines the way LSP and the Python tokenizer do (``\\r\\n``, ``\\r``, ``\\n``; not
``str.splitlines``, which also breaks at form feeds and U+2028), maps the engine's positions to offsets
exactly as ``apply_edits`` does, and converts columns to the negotiated position encoding (UTF-16 unless the
client offers UTF-8 or UTF-32).
"""

from __future__ import annotations

import bisect
import difflib
import re
from typing import Optional

from lsprotocol import types

from mplint.fixes import line_starts as _engine_line_starts
from mplint.fixes import offset_of as _engine_offset

#: The position encodings the server can count in (LSP's ``PositionEncodingKind`` values).
ENCODINGS = ("utf-8", "utf-16", "utf-32")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in the code units of ``encoding``."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text.encode("utf-8", "surrogatepass"))


def chars(line: str, width: int, encoding: str) -> int:
    """How many code points of ``line`` fit in ``width`` code units (never splits a character)."""
    if encoding == "utf-32" or line.isascii():
        return max(0, min(width, len(line)))
    count = 0
    for index, char in enumerate(line):
        count += units(char, encoding)
        if count > width:
            return index
    return len(line)


class Text:
    """A document's text with its line starts (LSP line breaks: ``\\r\\n``, ``\\r`` and ``\\n``)."""

    __slots__ = ("_engine_starts", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: Optional[list[int]] = None
        self._engine_starts: Optional[list[int]] = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _LINE_BREAK.finditer(self.text))]
        return self._starts

    def line_bounds(self, index: int) -> tuple[int, int]:
        """Offsets of the start and of the end (before the line break) of line ``index`` (0-based)."""
        starts = self.starts
        if index >= len(starts):
            return len(self.text), len(self.text)
        start = starts[max(index, 0)]
        if index + 1 < len(starts):
            end = starts[index + 1]
            end -= 2 if self.text.startswith("\r\n", end - 2) else 1
        else:
            end = len(self.text)
        return start, end

    def line(self, index: int) -> str:
        start, end = self.line_bounds(index)
        return self.text[start:end]

    def segments(self) -> list[str]:
        """The lines with their line breaks."""
        starts = self.starts
        out = [self.text[a:b] for a, b in zip(starts, starts[1:])]
        if starts[-1] < len(self.text):
            out.append(self.text[starts[-1] :])
        return out

    def offset(self, position: types.Position, encoding: str) -> int:
        if position.line >= len(self.starts):
            return len(self.text)
        start, end = self.line_bounds(position.line)
        return start + chars(self.text[start:end], position.character, encoding)

    def position_at(self, offset: int, encoding: str) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start, end = self.line_bounds(line)
        return types.Position(
            line=line, character=units(self.text[start : min(offset, end)], encoding)
        )

    def range_at(self, start: int, end: int, encoding: str) -> types.Range:
        """The range between two offsets."""
        return types.Range(
            start=self.position_at(start, encoding), end=self.position_at(end, encoding)
        )

    def engine_offset(self, line: int, column: int) -> int:
        """Offset of the engine's 1-based line and 1-based code-point column.

        Counted exactly as ``apply_edits`` counts them, so that a quick fix changes what ``--fix`` would.
        The engine breaks lines where LSP does (``fixes.line_starts`` gives every line the start it has in
        ``starts``); what differs is the column: code points, added to the line's start without being
        clamped to the line, where the editor counts code units of the negotiated encoding.
        """
        if self._engine_starts is None:
            self._engine_starts = _engine_line_starts(self.text)
        return _engine_offset(self._engine_starts, self.text, max(line, 1), max(column, 1))

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
