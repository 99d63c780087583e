"""Text helpers the formats share: lines as Python counts them, safe one-line messages, display widths."""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

from mplint.text import LINE_BREAK, split_lines, split_lines_keepends

__all__ = [
    "display_width",
    "file_and_cell",
    "one_line",
    "plural",
    "printable",
    "split_lines",
    "split_lines_keepends",
    "xml_safe",
]

# C0 and C1 controls and DEL: printed raw they can move the cursor or recolour a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Characters XML 1.0 cannot carry, not even as character references.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TAB_WIDTH = 4


def file_and_cell(path: str, cell: Optional[int]) -> str:
    """The file a position is in: ``demo.ipynb:cell 3`` in a notebook (ruff's form), else the path."""
    return path if cell is None else f"{path}:cell {cell}"


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"


def printable(text: str) -> str:
    """``text`` with control characters shown as symbols (tabs are kept)."""
    return _CONTROL.sub(_control_picture, text)


def one_line(text: str) -> str:
    """A message for a line-oriented format: line endings become spaces, controls become symbols."""
    return printable(LINE_BREAK.sub(" ", text))


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (replaced by U+FFFD)."""
    return _XML_INVALID.sub("\ufffd", text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufeff":
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (tabs already expanded; wide characters count two)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


def plural(count: int, word: str, words: str = "") -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"
