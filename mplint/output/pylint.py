"""``pylint``: ``path:line: [CODE] message``, the line format pylint's parsable output uses (and ruff's)."""

from __future__ import annotations

from mplint.diagnostics import Diagnostic
from mplint.output._text import file_and_cell, one_line
from mplint.output.context import OutputContext

__all__ = ["render"]


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    return "".join(
        f"{one_line(file_and_cell(d.path, d.cell))}:{d.line}: [{d.code}] {one_line(d.message)}\n"
        for d in diagnostics
    )
