"""``pylint``: ``path:line: [CODE] message``, the line format pylint's parsable output uses (and ruff's)."""

from __future__ import annotations

from mplint.diagnostics import Diagnostic
from mplint.output._text import one_line
from mplint.output.context import OutputContext

__all__ = ["render"]


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    return "".join(
        f"{one_line(d.path)}:{d.line}: [{d.code}] {one_line(d.message)}\n" for d in diagnostics
    )
