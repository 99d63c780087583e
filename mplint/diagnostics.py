"""The values every front door shares: diagnostics, fixes and edits.

Positions are 1-based lines and 1-based columns counted in characters (code points), the way ruff prints
them; the flake8 adapter and the language server convert to their own conventions at the edge.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

__all__ = ["Applicability", "Diagnostic", "Edit", "Fix", "Severity"]

#: Codes that are not rules: they describe a file mplint could not check.
SYNTAX_ERROR = "MPL001"
IO_ERROR = "MPL002"
INTERNAL_ERROR = "MPL003"
#: CPython compiles the file but libcst's parser refuses it (a parser limitation, not the file's fault).
PARSER_LIMIT = "MPL004"
META_CODES = frozenset({SYNTAX_ERROR, IO_ERROR, INTERNAL_ERROR, PARSER_LIMIT})


class Severity(str, enum.Enum):
    """How bad a finding is: ``error`` crashes or hangs, ``warning`` gives a wrong result, leaks or races."""

    ERROR = "error"
    WARNING = "warning"


class Applicability(str, enum.Enum):
    """Whether a fix may be applied without asking (ruff's Applicability)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text between two positions with ``content`` (an insertion when they are equal)."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True)
class Fix:
    """One fix: edits applied together, all or nothing."""

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Diagnostic:
    """One finding in one file."""

    path: str
    code: str
    name: str
    message: str
    severity: Severity
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Optional[Fix] = None
    url: Optional[str] = None
    noqa_line: Optional[int] = field(default=None)
    #: in a notebook: the cell (1-based, among all cells); ``line`` and ``noqa_line`` are rows in it
    cell: Optional[int] = None

    @property
    def is_meta(self) -> bool:
        """True for syntax, I/O, internal errors and parser limits: the file was not (fully) checked."""
        return self.code in META_CODES

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)
