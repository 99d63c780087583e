"""``sarif``: SARIF 2.1.0, for GitHub code scanning and other tools that read static-analysis results.

One run. ``tool.driver.rules`` describes every rule (and the three codes for files mplint could not check):
``id``, ``name``, ``shortDescription``, ``fullDescription``, ``help`` (text and Markdown: the rule's page),
``helpUri``, ``defaultConfiguration.level`` (``error``/``warning``; preview rules are not enabled by
default) and properties GitHub reads (``tags``, ``precision``, ``problem.severity``).

Each result has ``ruleId``, ``ruleIndex``, ``level``, ``message`` and a ``physicalLocation`` whose
``region`` gives start and end line and column. Columns count Unicode code points (``columnKind``), as
every mplint format does. Paths inside the current directory are relative URIs with ``uriBaseId``
``%SRCROOT%`` (defined in ``originalUriBaseIds``), which is what GitHub code scanning expects; other paths
are absolute ``file://`` URIs. A fix becomes a SARIF ``fix``: ``artifactChanges`` with ``replacements``
(``deletedRegion`` and ``insertedContent``), its applicability in ``properties``. The other places of the
same cause (``Diagnostic.related``) are the result's ``relatedLocations``, each with an ``id``, its
``physicalLocation`` and a ``message``.
"""

from __future__ import annotations

import json
import os
import posixpath
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from mplint import __version__
from mplint.diagnostics import (
    BUDGET_EXCEEDED,
    INTERNAL_ERROR,
    IO_ERROR,
    PARSER_LIMIT,
    SYNTAX_ERROR,
    Diagnostic,
    Edit,
    Related,
    Severity,
)
from mplint.output.context import OutputContext
from mplint.output.statistics import statistics_json
from mplint.rule import LintRule

__all__ = ["SCHEMA_URI", "render", "render_statistics", "rule_descriptor", "to_sarif"]

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/mplint/mplint"
SRCROOT = "%SRCROOT%"
_META_URL = f"{INFORMATION_URI}/blob/main/rules/README.md#files-mplint-could-not-check"
_META_RULES = (
    (SYNTAX_ERROR, "syntax-error", "The file does not parse, so it was not checked."),
    (
        IO_ERROR,
        "io-error",
        "The file could not be read or decoded, vanished, or a fix could not be written.",
    ),
    (
        INTERNAL_ERROR,
        "internal-error",
        "A rule crashed on this file; the other rules still ran. Please report it.",
    ),
    (
        PARSER_LIMIT,
        "parser-limit",
        "Python compiles the file but the parser mplint uses (libcst) cannot read it; not checked.",
    ),
    (
        BUDGET_EXCEEDED,
        "budget-exceeded",
        "The file is over the per-file budget (bytes, lines or time); not checked.",
    ),
)


def _level(severity: Severity) -> str:
    return "warning" if severity is Severity.WARNING else "error"


def _what_it_does(rule: type[LintRule]) -> str:
    docs = rule.docs()
    marker = "## What it does"
    if marker not in docs:
        return rule.summary()
    return docs.split(marker, 1)[1].split("\n## ", 1)[0].strip()


def rule_descriptor(rule: type[LintRule]) -> dict[str, Any]:
    """The ``reportingDescriptor`` of one rule."""
    from mplint.docs import render_rule_page

    family = rule.CODE[:4]
    tags = ["multiprocessing", family]
    if rule.PREVIEW:
        tags.append("preview")
    return {
        "id": rule.CODE,
        "name": rule.NAME,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": _what_it_does(rule)},
        "help": {"text": rule.docs(), "markdown": render_rule_page(rule)},
        "helpUri": rule.url(),
        "defaultConfiguration": {
            "enabled": not rule.PREVIEW,
            "level": _level(rule.SEVERITY),
        },
        "properties": {
            "tags": tags,
            "precision": "medium" if rule.PREVIEW else "high",
            "problem.severity": _level(rule.SEVERITY),
            "fix": rule.FIX or "none",
        },
    }


def _meta_descriptor(code: str, name: str, text: str) -> dict[str, Any]:
    level = "warning" if code == PARSER_LIMIT else "error"
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "helpUri": _META_URL,
        "defaultConfiguration": {"enabled": True, "level": level},
        "properties": {"tags": ["mplint"], "problem.severity": level},
    }


def _descriptors() -> list[dict[str, Any]]:
    from mplint.registry import all_rules

    return [rule_descriptor(rule) for rule in all_rules()] + [
        _meta_descriptor(*meta) for meta in _META_RULES
    ]


def _root() -> str:
    return os.path.abspath(os.getcwd())


def _artifact_location(path: str, root: str) -> dict[str, str]:
    """A relative URI under %SRCROOT% for paths below ``root``, else an absolute file URI."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive (Windows)
        relative = os.pardir
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return {"uri": Path(absolute).as_uri()}
    posix = posixpath.normpath(PurePath(relative).as_posix())
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _root_uri(root: str) -> str:
    uri = Path(root).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _replacement(edit: Edit) -> dict[str, Any]:
    replacement: dict[str, Any] = {
        "deletedRegion": _region(edit.line, edit.column, edit.end_line, edit.end_column)
    }
    if edit.content:
        replacement["insertedContent"] = {"text": edit.content}
    return replacement


def _related_location(number: int, related: Related, root: str) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact_location(related.path, root)}
    text = related.message
    if related.cell is None:
        physical["region"] = _region(
            related.line, related.column, related.end_line, related.end_column
        )
    else:  # as for a result in a notebook: the cell and row are named in the message
        text = f"cell {related.cell}, line {related.line}: {related.message}"
    return {"id": number, "physicalLocation": physical, "message": {"text": text}}


def _result(d: Diagnostic, index: dict[str, int], root: str) -> dict[str, Any]:
    location = _artifact_location(d.path, root)
    result: dict[str, Any] = {"ruleId": d.code}
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    physical: dict[str, Any] = {"artifactLocation": location}
    text = d.message
    if d.cell is None:
        physical["region"] = _region(d.line, d.column, d.end_line, d.end_column)
    else:
        # a region counts the notebook file's lines: a cell's rows are named in the message instead
        text = f"cell {d.cell}, line {d.line}: {d.message}"
    result.update(
        {
            "level": _level(d.severity),
            "message": {"text": text},
            "locations": [{"physicalLocation": physical}],
        }
    )
    if d.related:
        result["relatedLocations"] = [
            _related_location(number, related, root) for number, related in enumerate(d.related)
        ]
    if d.cell is not None:
        result["properties"] = {"cell": d.cell, "row": d.line, "column": d.column}
    elif d.fix is not None and d.fix.edits:
        result["fixes"] = [
            {
                "description": {"text": d.fix.message},
                "artifactChanges": [
                    {
                        "artifactLocation": location,
                        "replacements": [_replacement(edit) for edit in d.fix.edits],
                    }
                ],
                "properties": {"applicability": d.fix.applicability.value},
            }
        ]
    return result


def to_sarif(diagnostics: list[Diagnostic], context: OutputContext) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dictionary."""
    root = _root()
    rules = _descriptors()
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mplint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(root)}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index, root) for d in diagnostics],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    return json.dumps(to_sarif(diagnostics, context), indent=2) + "\n"


def render_statistics(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    """The same log, with the per-code counts in ``runs[0].properties.statistics``: still valid SARIF."""
    log = to_sarif(diagnostics, context)
    log["runs"][0]["properties"] = {"statistics": statistics_json(diagnostics, context)}
    return json.dumps(log, indent=2) + "\n"
