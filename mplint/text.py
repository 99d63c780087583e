"""Lines as Python numbers them, and one index from offsets to positions and back.

Python (tokenize, libcst) and the language server protocol end lines at ``\\r\\n``, ``\\r`` and ``\\n``
only; ``str.splitlines`` also splits at ``\\f``, ``\\v``, ``\\x1c``-``\\x1e``, U+0085, U+2028 and
U+2029, which would shift every line number after one of them.

Columns are counted in code points unless an encoding says otherwise: an editor speaking the language
server protocol counts them in UTF-16 code units (or UTF-8 bytes, or UTF-32 units, which are code points).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from itertools import accumulate
from typing import Optional

__all__ = [
    "LINE_BREAK",
    "LineIndex",
    "char_count",
    "offset_of",
    "splice",
    "split_lines",
    "split_lines_keepends",
    "unit_count",
]

# A line ending as Python reads one.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their endings, numbered as diagnostics number them (a final line
    ending adds no empty line)."""
    lines = LINE_BREAK.split(text)
    if lines and lines[-1] == "" and text:
        lines.pop()
    return lines


def split_lines_keepends(text: str) -> list[str]:
    """The lines of ``text`` with their endings, as Python numbers them (``"".join`` gives it back)."""
    return _LINE_WITH_END.findall(text)


def splice(text: str, spans: Iterable[tuple[int, int, str]]) -> Optional[str]:
    """``text`` with the text between each ``(start, end)`` pair of offsets replaced by its string, in
    order of position; None when two of them overlap."""
    out: list[str] = []
    cursor = 0
    for start, end, content in sorted(spans):
        if start < cursor:
            return None
        out.append(text[cursor:start])
        out.append(content)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def unit_count(text: str, encoding: str) -> int:
    """Length of ``text`` in the code units of ``encoding`` (``utf-8``, ``utf-16`` or ``utf-32``)."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text.encode("utf-8", "surrogatepass"))


def char_count(line: str, units: int, encoding: str) -> int:
    """How many code points of ``line`` fit in ``units`` code units (never splits a character)."""
    if encoding == "utf-32" or line.isascii():
        return max(0, min(units, len(line)))
    count = 0
    for index, char in enumerate(line):
        count += unit_count(char, encoding)
        if count > units:
            return index
    return len(line)


def offset_of(table: list[int], text: str, line: int, column: int) -> int:
    """The offset of a 1-based line and 1-based code-point column, given ``LineIndex(text).table``,
    clamped to the text's end (a column past its line's end runs on into the next line, as edits
    computed on the text do)."""
    if line - 1 >= len(table):
        return len(text)
    return min(table[line - 1] + column - 1, len(text))


class LineIndex:
    """The start offset of every line of a text.

    A text ending with a line break has an empty last line after it, as an editor shows it (``starts``
    has one entry per line, the first always 0). Positions come in two conventions:

    * the engine's: lines from 1, columns in code points (``position`` gives libcst's column, from 0;
      ``offset`` takes a diagnostic's column, from 1);
    * the editor's: lines from 0, columns from 0 in the units of an encoding (``unit_position`` and
      ``unit_offset``).
    """

    __slots__ = ("lines", "starts", "table", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        #: ``split_lines_keepends(text)``: the lines with their endings, no empty last line.
        self.lines = split_lines_keepends(text)
        #: The start of every line that has text, then the end of the text: ``table[n] - table[n - 1]``
        #: is the length of line ``n`` with its ending (the table ``offset`` counts on).
        self.table = list(accumulate(map(len, self.lines), initial=0))
        ends_a_line = not text or text.endswith(("\n", "\r"))
        self.starts = self.table if ends_a_line else self.table[:-1]

    def line_bounds(self, index: int) -> tuple[int, int]:
        """Offsets of the start and of the end (before the line break) of line ``index`` (from 0)."""
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

    def position(self, offset: int) -> tuple[int, int]:
        """The line (from 1) and code-point column (from 0) of ``offset``."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index]

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and 1-based code-point column (see ``offset_of``)."""
        return offset_of(self.table, self.text, line, column)

    def unit_position(self, offset: int, encoding: str) -> tuple[int, int]:
        """The line (from 0) and column (from 0, in ``encoding``'s units) of ``offset``."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start, end = self.line_bounds(line)
        return line, unit_count(self.text[start : min(offset, end)], encoding)

    def unit_offset(self, line: int, character: int, encoding: str) -> int:
        """The offset of a line (from 0) and column (from 0, in ``encoding``'s units); a column past
        the line's end means its end, a line past the text's end means the text's end."""
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.line_bounds(line)
        return start + char_count(self.text[start:end], character, encoding)
