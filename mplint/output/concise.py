"""``concise`` (the default): ``path:line:col: CODE [*] message`` per diagnostic, then a summary like ruff's.

``[*]`` marks a diagnostic whose fix ``--fix`` would apply under the current flags. The summary counts the
errors, how many ``--fix`` can fix, and how many more ``--fix --unsafe-fixes`` can (ruff's wording).
With ``--show-fixes`` each fix's title follows its diagnostic, and after ``--fix`` the fixed diagnostics are
listed per file.
"""

from __future__ import annotations

from typing import Optional

from mplint.diagnostics import Applicability, Diagnostic
from mplint.output._text import one_line, plural
from mplint.output.color import Palette
from mplint.output.context import OutputContext, fix_applies

__all__ = ["fix_note", "fixed_listing", "render", "summary"]


def _marker(diagnostic: Diagnostic, context: OutputContext) -> str:
    return "[*] " if fix_applies(diagnostic.fix, context) else ""


def location(diagnostic: Diagnostic, palette: Palette) -> str:
    """``path:line:col:`` (coloured like ruff's: bold path, cyan separators); in a notebook
    ``path:cell N:row:col:``."""
    colon = palette.paint(":", "cyan")
    where = one_line(diagnostic.path)
    if diagnostic.cell is not None:
        where = f"{palette.paint(where, 'bold')}{colon}{palette.paint(f'cell {diagnostic.cell}', 'bold')}"
    else:
        where = palette.paint(where, "bold")
    return f"{where}{colon}{diagnostic.line}{colon}{diagnostic.column}{colon}"


def fix_note(diagnostic: Diagnostic, context: OutputContext) -> str:
    """Why a fix that is shown would not be applied by ``--fix`` ("" when it would be)."""
    fix = diagnostic.fix
    if fix is None or fix_applies(fix, context):
        return ""
    if fix.applicability is Applicability.UNSAFE:
        return "unsafe: applied with `--fix --unsafe-fixes`"
    return "display only: never applied"


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    palette = Palette(context.color)
    lines: list[str] = []
    for d in diagnostics:
        marker = palette.paint("[*]", "cyan") + " " if _marker(d, context) else ""
        lines.append(
            f"{location(d, palette)} {palette.paint(d.code, 'bold', 'red')} {marker}"
            f"{one_line(d.message)}"
        )
        if context.show_fixes and d.fix is not None:
            note = fix_note(d, context)
            tail = f" ({note})" if note else ""
            lines.append(
                f"  {palette.paint('fix:', 'bold', 'cyan')} {one_line(d.fix.message)}{tail}"
            )
    text = "".join(line + "\n" for line in lines)
    if context.quiet:
        return text
    if context.show_fixes and context.applied:
        text += ("\n" if text else "") + fixed_listing(context.applied) + "\n"
    return text + summary(diagnostics, context, palette)


def fixed_listing(applied: list[Diagnostic]) -> str:
    """``Fixed N errors:`` then, per file, how many of each rule ``--fix`` fixed (ruff's --show-fixes)."""
    by_file: dict[str, dict[tuple[str, str], int]] = {}
    for d in applied:
        counts = by_file.setdefault(d.path, {})
        counts[(d.code, d.name)] = counts.get((d.code, d.name), 0) + 1
    lines = [f"Fixed {plural(len(applied), 'error')}:"]
    for path in sorted(by_file):
        lines.append(f"- {one_line(path)}:")
        for (code, name), count in sorted(by_file[path].items()):
            lines.append(f"    {count} × {code} ({name})")  # noqa: RUF001 (ruff's wording)
    return "\n".join(lines) + "\n"


def summary(
    diagnostics: list[Diagnostic], context: OutputContext, palette: Optional[Palette] = None
) -> str:
    """The closing lines: counts, and how many could be fixed with which flag (ruff's wording)."""
    palette = palette or Palette(False)
    remaining = len(diagnostics)
    if context.fix_mode and context.fixed:
        found = context.found if context.found is not None else remaining + context.fixed
        head = f"Found {plural(found, 'error')} ({context.fixed} fixed, {remaining} remaining"
        # A fix can leave a narrower finding behind, reveal a new one, or settle two at once: say
        # so instead of a total that disagrees with the run before.
        extra = context.fixed + remaining - found
        if extra > 0:
            head += f"; {plural(extra, 'more error')} appeared while fixing)."
        elif extra < 0:
            head += f"; {plural(-extra, 'more error')} went away with the fixes)."
        else:
            head += ")."
    elif remaining:
        head = f"Found {plural(remaining, 'error')}."
    else:
        return "All checks passed!\n"
    applicable = sum(1 for d in diagnostics if fix_applies(d.fix, context))
    hidden = 0
    if not context.unsafe_fixes:
        hidden = sum(
            1
            for d in diagnostics
            if d.fix is not None and d.fix.edits and d.fix.applicability is Applicability.UNSAFE
        )
    lines = [head]
    hidden_text = (
        f"{plural(hidden, 'unsafe fix', 'unsafe fixes')} available with `--fix --unsafe-fixes`"
    )
    if applicable:
        tail = f" ({hidden_text})" if hidden else ""
        lines.append(f"{palette.paint('[*]', 'cyan')} {applicable} fixable with `--fix`{tail}.")
    elif hidden:
        lines.append(f"{hidden_text}.")
    return "\n".join(lines) + "\n"
