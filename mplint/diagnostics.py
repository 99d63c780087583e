"""The values every front door shares: diagnostics, fixes and edits.

Positions are 1-based lines and 1-based columns counted in characters (code points), the way ruff prints
them; the flake8 adapter and the language server convert to their own conventions at the edge.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

__all__ = ["Applicability", "Diagnostic", "Edit", "Fix", "Related", "Severity"]

#: Codes that are not rules: they describe a file mplint could not check.
SYNTAX_ERROR = "MPL001"
IO_ERROR = "MPL002"
INTERNAL_ERROR = "MPL003"
#: CPython compiles the file but libcst's parser refuses it (a parser limitation, not the file's fault).
PARSER_LIMIT = "MPL004"
#: The file is over a per-file budget (bytes, lines or time): not checked, others are.
BUDGET_EXCEEDED = "MPL005"
META_CODES = frozenset({SYNTAX_ERROR, IO_ERROR, INTERNAL_ERROR, PARSER_LIMIT, BUDGET_EXCEEDED})


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

    def applies(self, unsafe_fixes: bool) -> bool:
        """Whether ``--fix`` applies it: a safe fix with edits always, an unsafe one only with
        ``--unsafe-fixes``, a display-only fix never (``fix_source`` chooses the same)."""
        if not self.edits:
            return False
        if self.applicability is Applicability.SAFE:
            return True
        return unsafe_fixes and self.applicability is Applicability.UNSAFE


@dataclass(frozen=True)
class Related:
    """Another place that belongs to a diagnostic's cause (an output format's related location or note):
    a range in the same 1-based lines and character columns as the diagnostic's, and what it is.
    ``code`` is set on the note of a diagnostic this one superseded (``mplint.dedup``): its rule's code."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    code: Optional[str] = None
    #: in a notebook: the cell (``line`` is then a row in it), as for :attr:`Diagnostic.cell`
    cell: Optional[int] = None


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
    #: The other places of the same cause: further statements of it, or what another rule reports on
    #: the same node and this one supersedes (see ``mplint.dedup``). A suppression comment counts on
    #: the diagnostic's own line only, never on a related location's.
    related: tuple[Related, ...] = ()
    #: in a notebook: the cell (1-based, among all cells); ``line`` and ``noqa_line`` are rows in it
    cell: Optional[int] = None

    @property
    def is_meta(self) -> bool:
        """True for syntax, I/O, internal errors and parser limits: the file was not (fully) checked."""
        return self.code in META_CODES

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)
