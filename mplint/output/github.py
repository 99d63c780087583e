"""``github``: GitHub Actions workflow commands, which GitHub shows as annotations on the pull request.

One line per diagnostic::

    ::error file=src/app.py,line=20,col=31,endLine=20,endColumn=44,title=MPL101::`work()` is called here…

``::warning`` for rules of warning severity. Values are escaped as GitHub's toolkit (``@actions/core``)
escapes them: ``%``, ``\\r`` and ``\\n`` everywhere, and ``:`` and ``,`` inside properties. With
``--show-fixes`` the fix's title follows the message on a second line of the annotation.
"""

from __future__ import annotations

from mplint.diagnostics import Diagnostic, Severity
from mplint.output.concise import fix_note
from mplint.output.context import OutputContext

__all__ = ["escape_data", "escape_property", "render"]


def escape_data(value: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value: also ``:`` and ``,``, which delimit properties."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(d: Diagnostic, context: OutputContext) -> str:
    kind = "warning" if d.severity is Severity.WARNING else "error"
    fields = [("file", d.path)]
    if d.cell is None:
        fields += [
            ("line", str(d.line)),
            ("col", str(d.column)),
            ("endLine", str(d.end_line)),
            ("endColumn", str(d.end_column)),
        ]
    fields.append(("title", d.code))
    properties = ",".join(f"{key}={escape_property(value)}" for key, value in fields)
    # an annotation's line is a line of the file: in a notebook, the message names the cell and row
    message = d.message if d.cell is None else f"cell {d.cell}, line {d.line}: {d.message}"
    if context.show_fixes and d.fix is not None:
        note = fix_note(d, context)
        message += f"\nfix: {d.fix.message}" + (f" ({note})" if note else "")
    return f"::{kind} {properties}::{escape_data(message)}\n"


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    return "".join(_command(d, context) for d in diagnostics)
