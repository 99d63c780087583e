"""``# noqa`` comments: ``# noqa`` (everything on the line), ``# noqa: MPL101,MPL2`` (codes or prefixes),
and the file-level ``# mplint: noqa`` / ``# mplint: noqa: MPL201`` (also spelt ``# flake8: noqa``, as ruff
reads it).

Comments are found with the tokenizer, so a ``# noqa`` inside a string does not count.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

from mplint.diagnostics import Diagnostic

__all__ = [
    "NOQA_RE",
    "Suppressions",
    "add_noqa_codes",
    "parse_suppressions",
    "unknown_noqa_codes",
]

NOQA_RE = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
FILE_NOQA_RE = re.compile(
    r"#\s*(?P<tool>mplint|flake8)\s*:\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_CODE_RE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


@dataclass
class Suppressions:
    #: line -> codes (None: every code)
    lines: dict[int, Optional[frozenset[str]]] = field(default_factory=dict)
    file_all: bool = False
    file_codes: frozenset[str] = frozenset()

    def suppresses(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.is_meta:
            return False
        code = diagnostic.code
        if self.file_all or _covered(code, self.file_codes):
            return True
        line = diagnostic.noqa_line or diagnostic.line
        if line not in self.lines:
            return False
        codes = self.lines[line]
        return codes is None or _covered(code, codes)


def _covered(code: str, selectors: Iterable[str]) -> bool:
    return any(code.startswith(selector) for selector in selectors)


def _comments(text: str) -> Iterable[tuple[int, str]]:
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # Fall back to a line scan; only reached for code that also failed to parse.
        for number, line in enumerate(text.splitlines(), start=1):
            index = line.find("#")
            if index >= 0:
                yield number, line[index:]


def noqa_line_map(text: str) -> dict[int, int]:
    """Lines whose ``# noqa`` must go on a later line: a line that ends inside a multi-line string, or
    with a backslash continuation, maps to the line where the string or the continued line ends (where
    a comment can stand). As ruff's ``noqa_row``."""
    mapping: dict[int, int] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return mapping
    string_types = {tokenize.STRING}
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    open_fstrings: list[int] = []
    for token in tokens:
        if fstring_start is not None and token.type == fstring_start:
            open_fstrings.append(token.start[0])
        elif fstring_end is not None and token.type == fstring_end and open_fstrings:
            first = open_fstrings.pop()
            for row in range(first, token.end[0]):
                mapping[row] = token.end[0]
        elif token.type in string_types and token.end[0] > token.start[0]:
            for row in range(token.start[0], token.end[0]):
                mapping[row] = token.end[0]
    lines = text.splitlines()
    continued = [i + 1 for i, line in enumerate(lines) if line.endswith("\\")]
    for row in reversed(continued):
        if row in mapping:
            continue  # the backslash is inside a string
        target = row + 1
        mapping[row] = mapping.get(target, target)
    # a string that starts on a continued line: follow the chain to its end
    for row in sorted(mapping):
        seen = 0
        while mapping[row] in mapping and seen < 1000:
            mapping[row] = mapping[mapping[row]]
            seen += 1
    return mapping


def parse_suppressions(
    text: str, file_tools: tuple[str, ...] = ("mplint", "flake8")
) -> Suppressions:
    """The ``# noqa`` comments of ``text``. File-level directives are ``# mplint: noqa`` and, as ruff
    honours it, flake8's ``# flake8: noqa`` (both also with codes); ``file_tools`` narrows that."""
    result = Suppressions()
    if "noqa" not in text and "NOQA" not in text.upper():
        return result
    for line, comment in _comments(text):
        file_match = FILE_NOQA_RE.search(comment)
        if file_match and file_match.group("tool").lower() not in file_tools:
            continue
        if file_match:
            codes = file_match.group("codes")
            if codes:
                result.file_codes = result.file_codes | frozenset(
                    c.upper() for c in _CODE_RE.findall(codes)
                )
            else:
                result.file_all = True
            continue
        match = NOQA_RE.search(comment)
        if match is None:
            continue
        codes = match.group("codes")
        if codes is None:
            result.lines[line] = None
        else:
            found = frozenset(c.upper() for c in _CODE_RE.findall(codes))
            previous = result.lines.get(line, frozenset())
            result.lines[line] = None if previous is None else previous | found
    return result


def unknown_noqa_codes(text: str) -> list[tuple[int, str]]:
    """(line, code) for every ``MPL`` code in a ``# noqa`` comment (line or file level) that names no
    code mplint has: a typo that would otherwise suppress nothing, silently. Other tools' codes are
    not looked at."""
    from mplint.codes import unknown_selectors

    out: list[tuple[int, str]] = []
    if "noqa" not in text.lower():
        return out
    for line, comment in _comments(text):
        match = FILE_NOQA_RE.search(comment) or NOQA_RE.search(comment)
        if match is None or not match.group("codes"):
            continue
        mine = [c.upper() for c in _CODE_RE.findall(match.group("codes"))]
        mine = [c for c in mine if c.startswith("MPL")]
        out.extend((line, code) for code in unknown_selectors(mine))
    return out


def add_noqa_codes(line: str, codes: Iterable[str], *, comment_start: Optional[int] = None) -> str:
    """``line`` with ``codes`` added to its ``# noqa`` comment (or a new one), keeping other codes.

    ``line`` has no line ending. A bare ``# noqa`` already covers everything and is kept as is, and so
    are codes an existing code or prefix covers. Only the line's real comment is looked at: a ``# noqa``
    inside a string does not count, and a line that ends inside a string or with a backslash continuation
    is returned unchanged (a comment there would change the code or break it).

    ``comment_start`` is the column where the line's comment starts when the caller tokenized the whole
    file (-1: the line has no comment); without it the line is scanned on its own, which cannot know
    whether the line begins inside a multi-line string: callers editing files should tokenize them.
    """
    wanted = sorted({code.upper() for code in codes})
    if comment_start is None:
        scanned = _scan_comment(line)
        if scanned is None:
            return line  # ends inside a string or continues with a backslash
        comment_start = scanned
    if comment_start >= 0:
        comment = line[comment_start:]
        match = NOQA_RE.search(comment)
        if match is not None:
            existing = match.group("codes")
            if existing is None:
                return line
            present = [c.upper() for c in _CODE_RE.findall(existing)]
            missing = [c for c in wanted if not _covered(c, present)]
            if not missing:
                return line
            replacement = "# noqa: " + ", ".join(present + missing)
            return (
                line[:comment_start]
                + comment[: match.start()]
                + replacement
                + comment[match.end() :]
            )
    if not wanted:
        return line
    return f"{line.rstrip()}  # noqa: {', '.join(wanted)}"


def _scan_comment(line: str) -> Optional[int]:
    """Where ``line``'s comment starts (-1: none), assuming the line starts outside a string; None when
    the line ends inside a string or with a backslash continuation (no comment may be added)."""
    index = 0
    length = len(line)
    while index < length:
        char = line[index]
        if char == "#":
            return index
        if char in "\"'":
            quote = char * 3 if line.startswith(char * 3, index) else char
            index += len(quote)
            while True:
                if index >= length:
                    return None  # the string goes on past this line
                if line[index] == "\\":
                    index += 2
                    continue
                if line.startswith(quote, index):
                    index += len(quote)
                    break
                index += 1
            continue
        index += 1
    if line.rstrip().endswith("\\"):
        return None
    return -1
