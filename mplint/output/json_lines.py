"""``json-lines``: one compact JSON object per line, the same objects as ``json`` (ruff's ``json-lines``).

Handy for streaming consumers and ``grep``; an empty run prints nothing.
"""

from __future__ import annotations

import json
from typing import Any

from mplint.diagnostics import Diagnostic
from mplint.output.context import OutputContext
from mplint.output.json_format import diagnostic_to_json
from mplint.output.statistics import statistics_json

__all__ = ["render", "render_statistics"]


def _line(value: Any) -> str:
    return json.dumps(value, separators=(",", ":")) + "\n"


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    return "".join(_line(diagnostic_to_json(d)) for d in diagnostics)


def render_statistics(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    """One statistics object (``code``, ``name``, ``count``, ``fixable``, ``fixable_count``) per line."""
    return "".join(_line(row) for row in statistics_json(diagnostics, context))
