"""``--statistics``: how many diagnostics of each rule, with its name and whether ``--fix`` can fix them.

Printed instead of the diagnostics, as ruff does: a table for people (``count  code  [*] name``, then the
summary lines) and, for ``--output-format json``/``json-lines``, ruff's statistics objects
(``code``, ``name``, ``count``, ``fixable``, ``fixable_count``). ``sarif`` and ``junit`` keep their
report (a table would make the file unreadable to the tools that consume it): SARIF carries the rows in
``runs[0].properties.statistics``, JUnit is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mplint.diagnostics import Diagnostic
from mplint.output._text import one_line
from mplint.output.color import Palette
from mplint.output.context import OutputContext, fix_applies

__all__ = ["Statistic", "render_text", "statistics", "statistics_json"]


@dataclass(frozen=True)
class Statistic:
    code: str
    name: str
    count: int
    fixable_count: int

    @property
    def fixable(self) -> bool:
        return self.fixable_count > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "count": self.count,
            "fixable": self.fixable,
            "fixable_count": self.fixable_count,
        }


def statistics(diagnostics: list[Diagnostic], context: OutputContext) -> list[Statistic]:
    """One row per code, the most frequent first (then by code)."""
    counts: dict[str, int] = {}
    fixable: dict[str, int] = {}
    names: dict[str, str] = {}
    for d in diagnostics:
        counts[d.code] = counts.get(d.code, 0) + 1
        fixable[d.code] = fixable.get(d.code, 0) + (1 if fix_applies(d.fix, context) else 0)
        names.setdefault(d.code, d.name)
    rows = [Statistic(code, names[code], counts[code], fixable[code]) for code in counts]
    rows.sort(key=lambda row: (-row.count, row.code))
    return rows


def statistics_json(diagnostics: list[Diagnostic], context: OutputContext) -> list[dict[str, Any]]:
    return [row.to_json() for row in statistics(diagnostics, context)]


def render_text(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    """The table (flake8's and ruff's layout), then the summary lines unless ``-q``."""
    from mplint.output.concise import summary

    palette = Palette(context.color)
    rows = statistics(diagnostics, context)
    count_width = max((len(str(row.count)) for row in rows), default=1)
    code_width = max((len(row.code) for row in rows), default=1)
    any_fixable = any(row.fixable for row in rows)
    lines = []
    for row in rows:
        mark = ""
        if any_fixable:
            mark = (palette.paint("[*]", "cyan") if row.fixable else "[ ]") + " "
        count = palette.paint(str(row.count).rjust(count_width), "bold")
        code = palette.paint(row.code.ljust(code_width), "bold", "red")
        lines.append(f"{count}\t{code}\t{mark}{one_line(row.name)}")
    text = "".join(line + "\n" for line in lines)
    if context.quiet:
        return text
    return text + summary(diagnostics, context, palette)
