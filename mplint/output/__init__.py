"""Output formats: one module each, all rendering the same diagnostics.

A format module defines ``render(diagnostics, context) -> str``. ``FORMATS`` maps the names accepted by
``--output-format`` to their modules (imported lazily, so ``mplint check`` only imports the one it uses).

A format module may also define ``render_statistics(diagnostics, context) -> str`` for ``--statistics``;
formats without one print the text table of :mod:`mplint.output.statistics` (what ruff prints instead of
the diagnostics).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, Optional

from mplint.diagnostics import Applicability, Diagnostic, Fix

__all__ = [
    "FORMATS",
    "OutputContext",
    "Renderer",
    "fix_applies",
    "get_renderer",
    "get_statistics_renderer",
]

FORMATS: dict[str, str] = {
    "concise": "mplint.output.concise",
    "full": "mplint.output.full",
    "json": "mplint.output.json_format",
    "json-lines": "mplint.output.json_lines",
    "sarif": "mplint.output.sarif",
    "github": "mplint.output.github",
    "junit": "mplint.output.junit",
    "pylint": "mplint.output.pylint",
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
    #: the diagnostics --fix fixed in this run (--show-fixes lists them)
    applied: list[Diagnostic] = field(default_factory=list)
    #: -q: the diagnostics only, no summary lines
    quiet: bool = False


Renderer = Callable[[list[Diagnostic], OutputContext], str]


def fix_applies(fix: Optional[Fix], context: OutputContext) -> bool:
    """True when ``--fix`` would apply this fix under the current flags (``[*]`` in the output)."""
    if fix is None or not fix.edits:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return context.unsafe_fixes and fix.applicability is Applicability.UNSAFE


def get_renderer(name: str) -> Optional[Renderer]:
    module_name = FORMATS.get(name)
    if module_name is None:
        return None
    module = importlib.import_module(module_name)
    render: Renderer = module.render
    return render


def get_statistics_renderer(name: str) -> Optional[Renderer]:
    """The ``--statistics`` renderer of a format: its own, else the text table."""
    module_name = FORMATS.get(name)
    if module_name is None:
        return None
    module = importlib.import_module(module_name)
    render: Optional[Renderer] = getattr(module, "render_statistics", None)
    if render is None:
        from mplint.output.statistics import render_text

        render = render_text
    return render
