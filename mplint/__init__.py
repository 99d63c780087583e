"""mplint: find misuse of Python multiprocessing before it crashes, hangs or silently loses data.

Public API: :func:`lint_source`, :func:`fix_source`, :class:`Diagnostic`, :class:`Config`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Config", "Diagnostic", "__version__", "fix_source", "lint_source"]

if TYPE_CHECKING:
    from mplint.diagnostics import Diagnostic
    from mplint.engine import lint_source
    from mplint.fixes import fix_source
    from mplint.settings import Config


def __getattr__(name: str) -> Any:
    # Lazy: `mplint check` on a tree with nothing to parse never imports libcst.
    if name == "lint_source":
        from mplint.engine import lint_source

        return lint_source
    if name == "fix_source":
        from mplint.fixes import fix_source

        return fix_source
    if name == "Diagnostic":
        from mplint.diagnostics import Diagnostic

        return Diagnostic
    if name == "Config":
        from mplint.settings import Config

        return Config
    raise AttributeError(name)
