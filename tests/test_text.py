"""LineIndex: line starts, offsets and positions, columns in code points and in an encoding's units."""

from __future__ import annotations

import bisect
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mplint.text import (
    LineIndex,
    char_count,
    splice,
    split_lines,
    split_lines_keepends,
    unit_count,
)

# --- the tables the engine, the fixer, the full format and the server each computed before ----------


def _old_engine_lines(text: str) -> list[str]:
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _old_output_lines(text: str) -> list[str]:
    lines: list[str] = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)", text)
    consumed = sum(len(line) for line in lines)
    if consumed < len(text):
        lines.append(text[consumed:])
    return lines


def _old_table(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _old_position(text: str, offset: int) -> tuple[int, int]:
    """``engine._Positions._position`` as it was (now ``positions.Positions``)."""
    lines = _old_engine_lines(text)
    starts = _old_table(lines)
    index = bisect.bisect_right(starts, offset) - 1
    if index >= len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
        index = len(lines) - 1
    index = max(0, min(index, len(lines)))
    return index + 1, offset - starts[index]


def _old_server_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]


# --- examples -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "starts", "lines"),
    [
        ("", [0], []),
        ("x", [0], ["x"]),
        ("a\nb", [0, 2], ["a\n", "b"]),
        ("a\nb\n", [0, 2, 4], ["a\n", "b\n"]),
        ("a\r\nb\rc\n", [0, 3, 5, 7], ["a\r\n", "b\r", "c\n"]),
        ("\r\r\n\n", [0, 1, 3, 4], ["\r", "\r\n", "\n"]),
        # \f, U+0085, U+2028 and U+2029 end no line for Python (str.splitlines would split there)
        ("a\fb\x85c\u2028d\u2029e\n", [0, 10], ["a\fb\x85c\u2028d\u2029e\n"]),
    ],
)
def test_starts_and_lines(text: str, starts: list[int], lines: list[str]) -> None:
    index = LineIndex(text)
    assert index.starts == starts
    assert index.lines == lines == split_lines_keepends(text)
    assert "".join(index.lines) == text


def test_table_ends_with_the_text_end() -> None:
    assert LineIndex("ab\ncd").table == [0, 3, 5]
    assert LineIndex("ab\ncd\n").table == [0, 3, 6]
    assert LineIndex("").table == [0]


def test_position_and_offset_round_trip_without_a_final_newline() -> None:
    index = LineIndex("ab\r\ncd")
    assert index.position(0) == (1, 0)
    assert index.position(2) == (1, 2)  # before the \r\n
    assert index.position(4) == (2, 0)
    assert index.position(6) == (2, 2)  # the end of a file without a final newline
    assert index.offset(2, 3) == 6
    assert index.offset(9, 1) == 6  # past the last line: the end
    assert index.offset(1, 40) == 6  # clamped to the end


def test_position_after_a_final_newline_is_on_the_empty_last_line() -> None:
    index = LineIndex("a\n")
    assert index.position(2) == (2, 0)
    assert index.offset(2, 1) == 2


def test_line_bounds_leave_out_the_line_break() -> None:
    index = LineIndex("ab\r\ncd\ref\n")
    assert index.line_bounds(0) == (0, 2)
    assert index.line_bounds(1) == (4, 6)
    assert index.line_bounds(2) == (7, 9)
    assert index.line_bounds(3) == (10, 10)  # the empty last line
    assert index.line_bounds(7) == (10, 10)


def test_columns_in_the_units_of_an_encoding() -> None:
    # U+1F600 is one code point, two UTF-16 units, four UTF-8 bytes; é is two UTF-8 bytes.
    text = "x = '\U0001f600é'\ny\n"
    index = LineIndex(text)
    after = text.index("é") + 1
    assert index.unit_position(after, "utf-32") == (0, 7)
    assert index.unit_position(after, "utf-16") == (0, 8)
    assert index.unit_position(after, "utf-8") == (0, 11)
    for encoding in ("utf-8", "utf-16", "utf-32"):
        _, character = index.unit_position(after, encoding)
        assert index.unit_offset(0, character, encoding) == after
    # inside the surrogate pair: the character is not split
    assert index.unit_offset(0, 6, "utf-16") == text.index("\U0001f600")
    assert index.unit_offset(0, 99, "utf-16") == text.index("\n")  # past the line's end: its end
    assert index.unit_offset(5, 0, "utf-16") == len(text)  # past the last line: the text's end
    assert index.unit_position(len(text) + 5, "utf-16") == (2, 0)


def test_unit_count_and_char_count() -> None:
    assert unit_count("a\U0001f600", "utf-16") == 3
    assert unit_count("a\U0001f600", "utf-8") == 5
    assert unit_count("a\U0001f600", "utf-32") == 2
    assert char_count("a\U0001f600b", 2, "utf-16") == 1
    assert char_count("a\U0001f600b", 3, "utf-16") == 2
    assert char_count("abc", -1, "utf-16") == 0


# --- against the old tables --------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["a", "bc", " ", "\n", "\r", "\r\n", "\f", "\v", "\x85", "\u2028", "\u2029", "é", "\U0001f600"]
)
_TEXTS = st.lists(_PIECES, max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_agrees_with_the_old_line_tables(text: str) -> None:
    index = LineIndex(text)
    assert index.lines == _old_engine_lines(text) == _old_output_lines(text)
    assert index.table == _old_table(_old_engine_lines(text))
    assert index.starts == _old_server_starts(text)
    for offset in range(len(text) + 1):
        assert index.position(offset) == _old_position(text, offset)
        line, column = index.position(offset)
        assert index.offset(line, column + 1) == offset
        for encoding in ("utf-8", "utf-16", "utf-32"):
            row, character = index.unit_position(offset, encoding)
            end = index.line_bounds(row)[1]
            if offset <= end:  # an offset inside a \r\n maps to the end of its line
                assert index.unit_offset(row, character, encoding) == offset


def test_splice_applies_spans_in_order_and_refuses_overlaps() -> None:
    assert splice("abcdef", [(4, 5, "E"), (0, 1, "A"), (2, 2, "+")]) == "Ab+cdEf"
    assert splice("abcdef", []) == "abcdef"
    assert splice("abcdef", [(0, 3, "x"), (2, 4, "y")]) is None
    assert splice("abcdef", [(0, 3, "x"), (3, 3, "y")]) == "xydef"  # touching is not overlapping


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\r\nb\rc\n", ["a", "b", "c"]),
        ("a\n\nb", ["a", "", "b"]),
        ("a\x0cb\u2028c\n", ["a\x0cb\u2028c"]),  # form feed and U+2028 end no line for Python
    ],
)
def test_split_lines(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines
    assert split_lines(text) == [line.rstrip("\r\n") for line in split_lines_keepends(text)]


def test_split_lines_of_empty_text_is_one_empty_line() -> None:
    assert split_lines("") == [""]
