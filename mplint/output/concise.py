"""``concise`` (the default): ``path:line:col: CODE [*] message`` per diagnostic, then a summary like ruff's."""

from __future__ import annotations

from mplint.diagnostics import Applicability, Diagnostic
from mplint.output import OutputContext

__all__ = ["render", "summary"]


def _marker(diagnostic: Diagnostic, context: OutputContext) -> str:
    fix = diagnostic.fix
    if fix is None:
        return ""
    if fix.applicability is Applicability.SAFE or (
        context.unsafe_fixes and fix.applicability is Applicability.UNSAFE
    ):
        return "[*] "
    return ""


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    lines = [
        f"{d.path}:{d.line}:{d.column}: {d.code} {_marker(d, context)}{d.message}"
        for d in diagnostics
    ]
    text = "\n".join(lines)
    if lines:
        text += "\n"
    return text + summary(diagnostics, context)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    """The closing lines: counts, and how many could be fixed with which flag."""
    remaining = len(diagnostics)
    if context.fix_mode and context.fixed:
        if remaining:
            head = (
                f"Found {_plural(remaining + context.fixed, 'error')} "
                f"({context.fixed} fixed, {remaining} remaining)."
            )
        else:
            return (
                f"Found {_plural(context.fixed, 'error')} ({context.fixed} fixed, 0 remaining).\n"
            )
    elif remaining:
        head = f"Found {_plural(remaining, 'error')}."
    else:
        return "All checks passed!\n"
    safe = sum(
        1 for d in diagnostics if d.fix is not None and d.fix.applicability is Applicability.SAFE
    )
    unsafe = sum(
        1 for d in diagnostics if d.fix is not None and d.fix.applicability is Applicability.UNSAFE
    )
    lines = [head]
    if context.unsafe_fixes:
        if safe + unsafe:
            lines.append(f"[*] {safe + unsafe} fixable with the `--fix` option.")
    elif safe:
        tail = ""
        if unsafe:
            tail = f" ({unsafe} hidden fixes can be enabled with the `--unsafe-fixes` option)"
        lines.append(f"[*] {safe} fixable with the `--fix` option{tail}.")
    elif unsafe:
        lines.append(
            f"No fixes available ({unsafe} hidden fixes can be enabled with the "
            "`--unsafe-fixes` option)."
        )
    return "\n".join(lines) + "\n"
