"""Fixes: the intents a rule writes them in, and their resolution into text edits.

A rule's fix is written as intents on nodes (replace this node, insert a statement before that one …);
:func:`resolve` turns each report into a diagnostic, and its intents into edits with exact positions, only
for files that have diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Related
from mplint.positions import Positions
from mplint.settings import Config
from mplint.text import LINE_BREAK

if TYPE_CHECKING:  # rule.py re-exports the intents: at run time only their attributes are read
    from mplint.rule import LintRule, Report

__all__ = [
    "FixSpec",
    "InsertAfter",
    "InsertBefore",
    "NodeEdit",
    "RemoveStatement",
    "Replace",
    "ReplaceLines",
    "resolve",
]


@dataclass(frozen=True)
class Replace:
    """Replace the node's text with ``text``."""

    node: cst.CSTNode
    text: str


@dataclass(frozen=True)
class _Insert:
    """Insert ``text`` as new statement line(s) next to ``statement``, at its indentation."""

    statement: cst.CSTNode
    text: str


@dataclass(frozen=True)
class InsertBefore(_Insert):
    """Insert ``text`` as new statement line(s) before ``statement``, at its indentation."""


@dataclass(frozen=True)
class InsertAfter(_Insert):
    """Insert ``text`` as new statement line(s) after ``statement``, at its indentation."""


@dataclass(frozen=True)
class RemoveStatement:
    """Remove a whole statement line (with its trailing comment and newline)."""

    statement: cst.SimpleStatementLine


@dataclass(frozen=True)
class ReplaceLines:
    """Replace whole lines, from the line where ``first`` starts to the end of the line where ``last``
    ends (trailing comment included, line ending kept), with ``text``."""

    first: cst.CSTNode
    last: cst.CSTNode
    text: str


NodeEdit = Union[Replace, InsertBefore, InsertAfter, RemoveStatement, ReplaceLines]


@dataclass(frozen=True)
class FixSpec:
    applicability: Applicability
    edits: tuple[NodeEdit, ...]
    title: Optional[str] = None


def resolve(
    path: str,
    positions: Positions,
    reports: list[Report],
    rules: dict[str, type[LintRule]],
    config: Config,
) -> list[Diagnostic]:

    out: list[Diagnostic] = []
    for report in reports:
        rule = rules[report.code]
        where = positions.range(report.node)
        fix = _fix(report.fix, rule, positions) if report.fix is not None else None
        if fix is not None and not _fixable(rule.CODE, config):
            fix = Fix(Applicability.DISPLAY, fix.message, fix.edits)
        out.append(
            Diagnostic(
                path=path,
                code=rule.CODE,
                name=rule.NAME,
                message=report.message,
                severity=rule.SEVERITY,
                line=where.start.line,
                column=where.start.column + 1,
                end_line=where.end.line,
                end_column=where.end.column + 1,
                fix=fix,
                url=rule.url(),
                noqa_line=positions.noqa_line(report.node, where.start.line),
                related=tuple(
                    _related(path, positions, node, text) for node, text in report.related
                )
                + report.elsewhere,
            )
        )
    return out


def _related(path: str, positions: Positions, node: cst.CSTNode, message: str) -> Related:
    where = positions.range(node)
    return Related(
        path,
        where.start.line,
        where.start.column + 1,
        where.end.line,
        where.end.column + 1,
        message,
    )


def _fixable(code: str, config: Config) -> bool:
    def hits(selectors: tuple[str, ...]) -> int:
        return max(
            (len(s) for s in selectors if s.upper() == "ALL" or code.startswith(s.upper())),
            default=-1,
        )

    return hits(config.fixable) > hits(config.unfixable)


def _fix(spec: FixSpec, rule: type[LintRule], positions: Positions) -> Optional[Fix]:
    edits: list[Edit] = []
    for intent in spec.edits:
        edit = _edit(intent, positions)
        if edit is None:
            return None
        edits.append(edit)
    edits.sort()
    title = spec.title or rule.FIX_TITLE or "Apply the fix"
    return Fix(spec.applicability, title, tuple(edits))


def _edit(intent: NodeEdit, positions: Positions) -> Optional[Edit]:
    newline = positions.newline
    if isinstance(intent, Replace):
        where = positions.range(intent.node)
        text = intent.text
        if LINE_BREAK.search(text):
            indent = positions.indent_of(where.start.line)
            text = _indent_following_lines(text, indent, newline)
        return Edit(
            where.start.line,
            where.start.column + 1,
            where.end.line,
            where.end.column + 1,
            text,
        )
    if isinstance(intent, _Insert):
        where = positions.range(intent.statement)
        indent = positions.indent_of(where.start.line)
        body = indent + _indent_following_lines(intent.text, indent, newline)
        if isinstance(intent, InsertBefore):
            if positions.line_text(where.start.line)[: where.start.column].strip():
                return None  # the statement does not start its line
            return Edit(where.start.line, 1, where.start.line, 1, body + newline)
        end_line, end_column = positions.line_end(where.end.line)
        return Edit(end_line, end_column, end_line, end_column, newline + body)
    if isinstance(intent, ReplaceLines):
        first = positions.range(intent.first)
        last = positions.range(intent.last)
        if positions.line_text(first.start.line)[: first.start.column].strip():
            return None
        end_line, end_column = positions.line_end(last.end.line)
        indent = positions.indent_of(first.start.line)
        text = indent + _indent_following_lines(intent.text, indent, newline)
        return Edit(first.start.line, 1, end_line, end_column, text)
    if isinstance(intent, RemoveStatement):
        where = positions.range(intent.statement)
        if positions.line_text(where.start.line)[: where.start.column].strip():
            return None
        if where.end.line < len(positions.lines):
            return Edit(where.start.line, 1, where.end.line + 1, 1, "")
        # last line of the file: remove it together with the preceding line ending
        if where.start.line == 1:
            end_line, end_column = positions.line_end(where.end.line)
            return Edit(1, 1, end_line, end_column, "")
        previous = where.start.line - 1
        start_line, start_column = positions.line_end(previous)
        end_line, end_column = positions.line_end(where.end.line)
        return Edit(start_line, start_column, end_line, end_column, "")
    raise TypeError(f"unknown fix intent {intent!r}")


def _indent_following_lines(text: str, indent: str, newline: str) -> str:
    """``text`` with ``indent`` before each line but the first (not before an empty one), its lines ended
    by the file's ``newline``. A rule's text may already hold the file's line endings (libcst writes a
    CRLF module's nodes with ``\\r\\n``): every ``\\r\\n``, ``\\r`` and ``\\n`` ends one line, as for
    Python, so a CRLF file gets ``\\r\\n`` and never ``\\r\\r\\n``."""
    lines = LINE_BREAK.split(text)
    return newline.join([lines[0], *[(indent + line) if line else line for line in lines[1:]]])
