"""Output formats: one module each, all rendering the same diagnostics.

A format module defines ``render(diagnostics, context) -> str``. ``FORMATS`` maps the names accepted by
``--output-format`` to their modules (imported lazily).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, Optional

from mplint.diagnostics import Diagnostic

__all__ = ["FORMATS", "OutputContext", "get_renderer"]

FORMATS: dict[str, str] = {
    "concise": "mplint.output.concise",
    "json": "mplint.output.json_format",
}


@dataclass
class OutputContext:
    """What a renderer may want besides the diagnostics."""

    fixed: int = 0  # diagnostics fixed in this run (--fix)
    fix_mode: bool = False
    unsafe_fixes: bool = False
    show_fixes: bool = False
    color: bool = False
    statistics: bool = False
    #: file path -> source text, for formats that show code (full)
    sources: dict[str, str] = field(default_factory=dict)
    #: files that were checked (junit lists them all)
    checked_files: list[str] = field(default_factory=list)


Renderer = Callable[[list[Diagnostic], OutputContext], str]


def get_renderer(name: str) -> Optional[Renderer]:
    module_name = FORMATS.get(name)
    if module_name is None:
        return None
    module = importlib.import_module(module_name)
    render: Renderer = module.render
    return render
