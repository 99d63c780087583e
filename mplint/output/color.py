"""Colour for the human formats: only on a terminal, never with ``NO_COLOR``, forced with ``--color always``.

``--color auto`` (the default) colours when the stream is a terminal and ``NO_COLOR`` is unset or empty
(https://no-color.org); ``FORCE_COLOR`` (non-empty) colours a pipe too (CI logs), never a file written with
``--output-file``. ``--color always`` and ``--color never`` win over both variables: an explicit flag is
the user's latest word, as no-color.org recommends.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Optional, TextIO

__all__ = ["COLOR_CHOICES", "Palette", "use_color"]

COLOR_CHOICES = ("auto", "always", "never")

_CODES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "cyan": "36",
}


def use_color(
    choice: str,
    stream: Optional[TextIO],
    environ: Optional[Mapping[str, str]] = None,
) -> bool:
    """Whether to colour output written to ``stream`` (None: a file named by ``--output-file``)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if stream is None:
        return False  # a report file is read by tools: colour only when asked for explicitly
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", ""):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (OSError, ValueError):
        return False


class Palette:
    """Wraps text in ANSI SGR codes when enabled; returns it unchanged otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def paint(self, text: str, *styles: str) -> str:
        if not self.enabled or not text or not styles:
            return text
        codes = ";".join(_CODES[style] for style in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"
