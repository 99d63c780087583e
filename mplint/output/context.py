"""What every format is given besides the diagnostics, and whether a fix applies under the run's flags.

The formats import these from here rather than from the package, whose ``__init__`` picks the format
modules (so that no format and the package import each other).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from mplint.diagnostics import Diagnostic, Fix

__all__ = ["OutputContext", "Renderer", "fix_applies"]


@dataclass
class OutputContext:
    """What a renderer may want besides the diagnostics."""

    fixed: int = 0  # diagnostics fixed in this run (--fix)
    #: with --fix: the diagnostics of the files as they were, before any fix (None: not counted)
    found: Optional[int] = None
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
    return fix is not None and fix.applies(context.unsafe_fixes)
