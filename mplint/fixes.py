"""Applying fixes: choose by applicability, apply non-overlapping edits, re-lint, repeat to a fixed point,
then verify the result before anyone writes it.

Verification (:func:`verify`), in this order: the result parses (libcst, and ``ast`` when the original
did); it uses no line ending the file does not use; every statement and constant it only copies (outside
the lines the edits write, including code a fix moves or wraps) is unchanged on CPython's AST; it needs
no newer Python than the lowest one the project targets; applying the fixes again changes nothing;
re-linting no longer shows the fixed diagnostics; pyflakes reports no new undefined name and no new unused
import. A result that fails any check is thrown away and the reason reported. The details of the middle
three checks are in :mod:`mplint.meaning`.
"""

from __future__ import annotations

import ast
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.diagnostics import Diagnostic, Edit, Fix
from mplint.engine import lint_source
from mplint.meaning import (
    Pass,
    changed_meaning,
    line_origins,
    new_line_endings,
    newer_python_needed,
)
from mplint.settings import Config
from mplint.text import LineIndex, offset_of, splice

if TYPE_CHECKING:
    from mplint.project import Project

__all__ = ["FixResult", "apply_edits", "fix_source", "line_starts", "offset_of"]

MAX_PASSES = 10


@dataclass
class FixResult:
    text: str  # the fixed text (the original when nothing was applied or verification failed)
    applied: list[Diagnostic] = field(default_factory=list)
    remaining: list[Diagnostic] = field(default_factory=list)
    error: Optional[str] = None  # why the fixes were not applied

    @property
    def changed(self) -> bool:
        return bool(self.applied) and self.error is None


def _allowed(fix: Optional[Fix], unsafe: bool) -> bool:
    return fix is not None and fix.applies(unsafe)


def line_starts(text: str) -> list[int]:
    """``LineIndex(text).table`` (kept for callers of the old helper)."""
    return LineIndex(text).table


def _spans(text: str, edits: Iterable[Edit]) -> list[tuple[int, int, str]]:
    index = LineIndex(text)
    return [
        (index.offset(e.line, e.column), index.offset(e.end_line, e.end_column), e.content)
        for e in edits
    ]


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (positions refer to ``text``)."""
    result = splice(text, _spans(text, edits))
    if result is None:
        raise ValueError("overlapping edits")
    return result


def _span(fix: Fix, index: LineIndex) -> tuple[int, int]:
    begin = min(index.offset(e.line, e.column) for e in fix.edits)
    end = max(index.offset(e.end_line, e.end_column) for e in fix.edits)
    return begin, end


def _choose(text: str, candidates: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Fixes whose spans do not touch each other, in order; the rest wait for the next pass."""
    index = LineIndex(text)
    chosen: list[Diagnostic] = []
    taken: list[tuple[int, int]] = []
    for diagnostic in sorted(candidates, key=Diagnostic.sort_key):
        assert diagnostic.fix is not None
        begin, end = _span(diagnostic.fix, index)
        if any(begin <= t_end and t_begin <= end for t_begin, t_end in taken):
            continue
        taken.append((begin, end))
        chosen.append(diagnostic)
    return chosen


def fix_source(
    path: str,
    text: str,
    config: Optional[Config] = None,
    *,
    unsafe: bool = False,
    only: Optional[Iterable[Diagnostic]] = None,
    project: Optional[Project] = None,
) -> FixResult:
    """Apply the allowed fixes to a fixed point and verify the result.

    ``only`` restricts the first pass to these diagnostics (a quick fix for one diagnostic);
    ``project`` is passed to ``lint_source`` (the names the file imports from its tree).
    """
    config = config or Config()
    current = text
    applied: list[Diagnostic] = []
    passes: list[Pass] = []
    wanted = {(d.code, d.line, d.column) for d in only} if only is not None else None
    diagnostics = lint_source(path, current, config, project=project)
    for number in range(MAX_PASSES + 1):
        candidates = [d for d in diagnostics if _allowed(d.fix, unsafe)]
        if wanted is not None:
            candidates = [d for d in candidates if (d.code, d.line, d.column) in wanted]
        if not candidates:
            break
        if number == MAX_PASSES:
            codes = ", ".join(sorted({d.code for d in candidates}))
            return FixResult(
                text,
                remaining=lint_source(path, text, config, project=project),
                error=f"fixes did not converge after {MAX_PASSES} passes ({codes}); nothing applied",
            )
        chosen = _choose(current, candidates)
        edits = [edit for d in chosen for edit in (d.fix.edits if d.fix else ())]
        spans = _spans(current, edits)
        updated = splice(current, spans)
        if updated is None:
            raise ValueError("overlapping edits")
        if updated == current:
            break
        passes.append((current, spans))
        applied.extend(chosen)
        current = updated
        wanted = None if only is None else set()
        diagnostics = lint_source(path, current, config, project=project)
    if not applied:
        return FixResult(text, remaining=diagnostics)
    problem = verify(
        path,
        text,
        current,
        applied,
        diagnostics,
        config,
        unsafe,
        idempotence=only is None,
        passes=passes,
    )
    if problem is not None:
        return FixResult(
            text, remaining=lint_source(path, text, config, project=project), error=problem
        )
    return FixResult(current, applied=applied, remaining=diagnostics)


def verify(
    path: str,
    original: str,
    fixed: str,
    applied: Sequence[Diagnostic],
    remaining: Sequence[Diagnostic],
    config: Config,
    unsafe: bool,
    *,
    idempotence: bool = True,
    passes: Optional[Sequence[Pass]] = None,
) -> Optional[str]:
    """Why the fixed text must not be written, or None when it is sound.

    ``passes`` are the texts the fixes were applied to and their edits, pass by pass: they tell which
    lines of ``fixed`` the fixes wrote and which they copied. Without them the whole file counts as
    one edit (the copies are found by a line diff of the two texts).
    """
    try:
        cst.parse_module(fixed)
    except Exception as error:
        return f"the fixed code does not parse ({type(error).__name__}); nothing applied"
    original_tree = _ast(original)
    fixed_tree = _ast(fixed)
    if original_tree is not None and fixed_tree is None:
        return "the fixed code does not compile; nothing applied"
    problem = new_line_endings(original, fixed)
    if problem is None and original_tree is not None and fixed_tree is not None:
        if passes is None:
            passes = [(original, [(0, len(original), fixed)])]
        origins = line_origins(original, passes)
        problem = changed_meaning(original, fixed, origins, original_tree, fixed_tree)
        if problem is None:
            problem = newer_python_needed(
                original, fixed, original_tree, fixed_tree, config.target_version
            )
    if problem is not None:
        return f"{problem}; nothing applied"
    if idempotence and any(_allowed(d.fix, unsafe) for d in remaining):
        return "the fixes are not idempotent; nothing applied"
    before = Counter((d.code, d.message) for d in lint_source(path, original, config))
    after = Counter((d.code, d.message) for d in remaining)
    for (code, message), count in Counter((d.code, d.message) for d in applied).items():
        # A diagnostic that an earlier pass's fix introduced, and a later pass fixed, was never in
        # ``before``: what must hold is that none of the applied ones is left.
        if after[(code, message)] > max(before[(code, message)], count) - count:
            return f"re-linting still shows {code} after its fix; nothing applied"
    if original_tree is not None and fixed_tree is not None:
        new = _pyflakes_names(fixed, path) - _pyflakes_names(original, path)
        if new:
            kind, name = sorted(new)[0]
            return f"the fix would leave {kind} {name!r} (pyflakes); nothing applied"
    return None


def _ast(text: str) -> Optional[ast.Module]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _pyflakes_names(text: str, path: str) -> set[tuple[str, str]]:
    """(kind, name) of pyflakes' undefined names and unused imports."""
    from pyflakes import checker, messages  # type: ignore[import-untyped]

    tree = _ast(text)
    if tree is None:
        return set()
    try:
        result = checker.Checker(tree, filename=path)
    except RecursionError:
        return set()
    found: set[tuple[str, str]] = set()
    for message in result.messages:
        if isinstance(message, messages.UndefinedName):
            found.add(("undefined name", str(message.message_args[0])))
        elif isinstance(message, messages.UnusedImport):
            found.add(("unused import", str(message.message_args[0])))
    return found
