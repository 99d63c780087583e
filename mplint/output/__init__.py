"""Output formats: one module each, all rendering the same diagnostics.

A format module defines ``render(diagnostics, context) -> str``. ``FORMATS`` maps the names accepted by
``--output-format`` to their modules (imported lazily, so ``mplint check`` only imports the one it uses).

A format module may also define ``render_statistics(diagnostics, context) -> str`` for ``--statistics``;
formats without one print the text table of :mod:`mplint.output.statistics` (what ruff prints instead of
the diagnostics).
"""

from __future__ import annotations

import importlib
from typing import Optional

from mplint.output.context import OutputContext, Renderer, fix_applies

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
