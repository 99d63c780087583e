"""``# noqa`` comments: ``# noqa`` (everything on the line), ``# noqa: MPL101,MPL2`` (codes or prefixes),
and the file-level ``# mplint: noqa`` / ``# mplint: noqa: MPL201``.

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

__all__ = ["NOQA_RE", "Suppressions", "add_noqa_codes", "parse_suppressions"]

NOQA_RE = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
FILE_NOQA_RE = re.compile(
    r"#\s*mplint\s*:\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
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


def parse_suppressions(text: str) -> Suppressions:
    result = Suppressions()
    if "noqa" not in text and "NOQA" not in text.upper():
        return result
    for line, comment in _comments(text):
        file_match = FILE_NOQA_RE.search(comment)
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


def add_noqa_codes(line: str, codes: Iterable[str]) -> str:
    """``line`` with ``codes`` added to its ``# noqa`` comment (or a new one), keeping other codes.

    ``line`` has no line ending. A bare ``# noqa`` already covers everything and is kept as is.
    """
    wanted = sorted(set(codes))
    match = NOQA_RE.search(line)
    if match is not None and _in_comment(line, match.start()):
        existing = match.group("codes")
        if existing is None:
            return line
        present = [c.upper() for c in _CODE_RE.findall(existing)]
        merged = present + [c for c in wanted if c not in present]
        replacement = "# noqa: " + ", ".join(merged)
        return line[: match.start()] + replacement + line[match.end() :]
    stripped = line.rstrip()
    return f"{stripped}  # noqa: {', '.join(wanted)}"


def _in_comment(line: str, index: int) -> bool:
    try:
        for token in tokenize.generate_tokens(io.StringIO(line + "\n").readline):
            if token.type == tokenize.COMMENT:
                return token.start[1] <= index
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return True
    return False
