"""``json``: ruff's JSON schema, so tools that read ruff's JSON read ours."""

from __future__ import annotations

import json
from typing import Any

from mplint.diagnostics import Diagnostic
from mplint.output import OutputContext

__all__ = ["diagnostic_to_json", "render"]


def diagnostic_to_json(d: Diagnostic) -> dict[str, Any]:
    fix: Any = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "message": d.fix.message,
            "edits": [
                {
                    "content": e.content,
                    "location": {"row": e.line, "column": e.column},
                    "end_location": {"row": e.end_line, "column": e.end_column},
                }
                for e in d.fix.edits
            ],
        }
    return {
        "cell": None,
        "code": d.code,
        "end_location": {"row": d.end_line, "column": d.end_column},
        "filename": d.path,
        "fix": fix,
        "location": {"row": d.line, "column": d.column},
        "message": d.message,
        "noqa_row": d.noqa_line,
        "url": d.url,
        "severity": d.severity.value,
        "name": d.name,
    }


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    return json.dumps([diagnostic_to_json(d) for d in diagnostics], indent=2) + "\n"
