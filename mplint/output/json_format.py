"""``json``: ruff's JSON schema, so tools that read ruff's JSON read ours.

A list of objects with ruff's keys, in ruff's (alphabetical) order: ``cell`` (in a notebook, the
cell's number, 1-based among all cells, and the rows are the cell's; null in other files), ``code``,
``end_location`` and ``location`` (``{"column", "row"}``, 1-based, the end exclusive), ``filename``,
``fix`` (null or ``{"applicability", "edits": [{"content", "end_location", "location"}], "message"}``),
``message``, ``name``, ``noqa_row`` (the line a ``# noqa`` comment must be on; null for files that
could not be checked), ``severity`` (``error``/``warning``) and ``url`` (the rule's page). Nothing else is
added, so readers of ruff's JSON keep working.

A diagnostic's related locations (``Diagnostic.related``) are not written: ruff's objects have no such
key, and a reader that maps them onto ruff's exact key set (as this project's own tests pin it) would
break on one. The related locations are in ``sarif`` (``relatedLocations``), the language server and
``full``.
"""

from __future__ import annotations

import json
from typing import Any

from mplint.diagnostics import Diagnostic
from mplint.output.context import OutputContext
from mplint.output.statistics import statistics_json

__all__ = ["diagnostic_to_json", "render", "render_statistics"]


def _position(row: int, column: int) -> dict[str, int]:
    return {"column": column, "row": row}


def diagnostic_to_json(d: Diagnostic) -> dict[str, Any]:
    fix: Any = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "edits": [
                {
                    "content": e.content,
                    "end_location": _position(e.end_line, e.end_column),
                    "location": _position(e.line, e.column),
                }
                for e in d.fix.edits
            ],
            "message": d.fix.message,
        }
    return {
        "cell": d.cell,
        "code": d.code,
        "end_location": _position(d.end_line, d.end_column),
        "filename": d.path,
        "fix": fix,
        "location": _position(d.line, d.column),
        "message": d.message,
        "name": d.name,
        "noqa_row": d.noqa_line,
        "severity": d.severity.value,
        "url": d.url,
    }


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    return json.dumps([diagnostic_to_json(d) for d in diagnostics], indent=2) + "\n"


def render_statistics(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    """ruff's ``--statistics --output-format json``: a list of per-code objects."""
    return json.dumps(statistics_json(diagnostics, context), indent=2) + "\n"
