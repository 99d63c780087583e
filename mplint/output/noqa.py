"""``--add-noqa``: write ``# noqa: CODE`` on every line that has a diagnostic, to adopt mplint on a large
codebase and fix the findings over time.

The comment goes on the diagnostic's ``noqa_line`` (the line ``# noqa`` is read from), merged into an
existing ``# noqa:`` comment there, or appended after any other comment. Lines are examined with Python's
tokenizer over the whole file, so a line that ends inside a multi-line string (or f-string) or with a
backslash continuation is never written to: a comment there would change the string or break the code.
Such lines are returned as skipped, with the reason, for the caller to report.
"""

from __future__ import annotations

import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mplint.diagnostics import Diagnostic
from mplint.suppression import add_noqa_codes
from mplint.text import split_lines_keepends

__all__ = ["NoqaResult", "add_noqa"]

_INSIDE_STRING = "the line ends inside a multi-line string"
_CONTINUATION = "the line ends with a backslash continuation"
_UNTOKENIZABLE = "the file cannot be tokenized"
_NO_LINE = "the file has no such line"

# Token types that open and close an f-string (3.12+) or t-string (3.14+); absent on older Pythons.
_OPENERS = {
    getattr(tokenize, name)
    for name in ("FSTRING_START", "TSTRING_START")
    if hasattr(tokenize, name)
}
_CLOSERS = {
    getattr(tokenize, name) for name in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, name)
}


@dataclass
class NoqaResult:
    text: str
    #: lines given a new noqa comment, or new codes in an existing one
    added: int = 0
    #: (line, codes, reason) for lines where no comment could be written
    skipped: list[tuple[int, tuple[str, ...], str]] = field(default_factory=list)


@dataclass
class _Layout:
    """Per line: where its comment starts, or why no comment may be added to it."""

    comments: dict[int, int] = field(default_factory=dict)
    unsafe: dict[int, str] = field(default_factory=dict)


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _readline(lines: list[str]) -> Iterator[str]:
    # The tokenizer's own line splitting knows \n and \r\n; give it \n everywhere (columns are unchanged).
    for line in lines:
        body = _body(line)
        yield body + "\n" if len(body) != len(line) else body


def _layout(lines: list[str]) -> _Layout:
    layout = _Layout()
    feed = _readline(lines)
    opened: list[int] = []
    try:
        for token in tokenize.generate_tokens(lambda: next(feed, "")):
            start_line = token.start[0]
            end_line = token.end[0]
            if token.type == tokenize.COMMENT:
                layout.comments[start_line] = token.start[1]
            elif token.type in _OPENERS:
                opened.append(start_line)
            elif token.type in _CLOSERS and opened:
                first = opened.pop()
                for number in range(first, end_line):
                    layout.unsafe[number] = _INSIDE_STRING
            if end_line > start_line and token.type != tokenize.NL:
                for number in range(start_line, end_line):
                    layout.unsafe.setdefault(number, _INSIDE_STRING)
    except (tokenize.TokenError, SyntaxError):
        for number in range(1, len(lines) + 1):
            layout.unsafe[number] = _UNTOKENIZABLE
        return layout
    for number, line in enumerate(lines, start=1):
        if number in layout.unsafe or number in layout.comments:
            continue
        if _body(line).rstrip().endswith("\\"):
            layout.unsafe[number] = _CONTINUATION
    return layout


def add_noqa(text: str, diagnostics: Iterable[Diagnostic]) -> NoqaResult:
    """``text`` with a ``# noqa`` comment for each diagnostic (files that could not be checked,
    MPL001-MPL003, cannot be silenced and are left out). The codes a diagnostic superseded (its
    related notes with a code) go in the same comment: with only the shown code there, the
    superseded diagnostic would be reported in its place."""
    wanted: dict[int, set[str]] = {}
    for d in diagnostics:
        if d.is_meta:
            continue
        line_codes = wanted.setdefault(d.noqa_line or d.line, set())
        line_codes.add(d.code)
        line_codes.update(r.code for r in d.related if r.code is not None)
    result = NoqaResult(text)
    if not wanted:
        return result
    lines = split_lines_keepends(text)
    layout = _layout(lines)
    for number in sorted(wanted):
        codes = tuple(sorted(wanted[number]))
        if not 1 <= number <= len(lines):
            result.skipped.append((number, codes, _NO_LINE))
            continue
        reason = layout.unsafe.get(number)
        if reason is not None:
            result.skipped.append((number, codes, reason))
            continue
        line = lines[number - 1]
        body = _body(line)
        updated = add_noqa_codes(body, codes, comment_start=layout.comments.get(number, -1))
        if updated != body:
            lines[number - 1] = updated + line[len(body) :]
            result.added += 1
    result.text = "".join(lines)
    return result
