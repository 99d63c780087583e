"""What ``mplint check`` says besides the diagnostics: ``--show-settings``, the warnings about a selection
that cannot do what it says, and ``mplint rule`` for the codes that are not rules (MPL001-MPL003)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from mplint.codes import META, RULES, enabled_codes, matches
from mplint.config import ConfigError
from mplint.diagnostics import BUDGET_EXCEEDED, INTERNAL_ERROR, IO_ERROR, PARSER_LIMIT, SYNTAX_ERROR
from mplint.settings import Config

__all__ = [
    "META_EXPLANATIONS",
    "meta_page",
    "parse_per_file_ignores",
    "selection_warnings",
    "show_settings",
]

#: ``mplint rule MPL001``: what each code that is not a rule means.
META_EXPLANATIONS: dict[str, str] = {
    SYNTAX_ERROR: (
        "The file does not parse, so no rule ran on it. The message is the parser's. CPython's parser "
        "decides first; when the configured `target-version` is newer than the Python running mplint, "
        "code that only the newer Python accepts (such as `type X = ...` for py312 on 3.11) is parsed "
        "by libcst instead and is not an error. Also reported for code too deeply nested to analyse."
    ),
    IO_ERROR: (
        "The file could not be read or written: a path that does not exist, an unreadable or vanished "
        "file, a directory, NUL bytes, bytes that do not decode in the file's encoding, or fixes that "
        "could not be written back."
    ),
    INTERNAL_ERROR: (
        "A bug in mplint: one rule (or the semantic model) crashed on this file. The other rules still "
        "ran. Please report it with the file, or the smallest part of it that still shows the error."
    ),
    PARSER_LIMIT: (
        "A warning: Python compiles the file, but libcst's parser (which mplint is built on) cannot read "
        "it, so no rule ran on it. The message names the parser's complaint. This is a limit of the "
        "parser, not an error in the file; it counts as a finding for the exit code, so `--exit-zero` "
        "still exits 0."
    ),
    BUDGET_EXCEEDED: (
        "A warning: the file is over the per-file budget, so it was not checked (the other files were). "
        "The message names the limit: `max-file-bytes` (default 10,000,000 bytes: libcst needs about "
        "1 GB of memory per 10 MB of source), `max-file-lines` (default 100,000) or `file-time-limit` "
        "(default 60 seconds; `mplint check` abandons the file's check then, so a run never hangs on "
        "one file). Raise a limit in [tool.mplint] (`max-file-lines = 200000`) or on the command line "
        "(`--max-file-lines 200000`); 0 turns it off. Like `MPL004`, it counts as a finding for the "
        "exit code, so `--exit-zero` still exits 0."
    ),
}


def meta_page(code: str) -> Optional[str]:
    """The page ``mplint rule`` prints for a meta code (MPL001 to MPL005; None for any other code)."""
    for meta in META:
        if code.upper() == meta.code or code == meta.name:
            return (
                f"# {meta.code} `{meta.name}`\n\n"
                "Not a rule: it says that a file was not (fully) checked. It is reported whatever the "
                "selection (`select`, `ignore` and `per-file-ignores` do not turn it off), so that an "
                "unchecked file is never silent.\n\n"
                f"{META_EXPLANATIONS[meta.code]}\n"
            )
    return None


def meta_json(code: str) -> Optional[dict[str, object]]:
    for meta in META:
        if code.upper() == meta.code or code == meta.name:
            return {
                "code": meta.code,
                "name": meta.name,
                "message": None,
                "summary": META_EXPLANATIONS[meta.code].split(". ")[0] + ".",
                "severity": "error",
                "fix": None,
                "fix_title": None,
                "preview": False,
                "url": None,
                "explanation": META_EXPLANATIONS[meta.code],
                "rule": False,
            }
    return None


def selection_warnings(config: Config) -> list[str]:
    """Warnings for a selection that does less than it seems to: preview rules selected without
    preview, and a selection that enables no rule at all."""
    out: list[str] = []
    if not config.preview:
        for selector in (*config.select, *config.extend_select):
            if selector.upper() == "ALL":
                continue
            chosen = [rule for rule in RULES if matches(selector, rule.code, rule.name)]
            if chosen and all(rule.preview for rule in chosen):
                codes = ", ".join(rule.code for rule in chosen)
                out.append(
                    f"`{selector}` selects only preview rules ({codes}); they run only with "
                    "`--preview` (or `preview = true`)"
                )
    if not enabled_codes(config.select, config.ignore, config.extend_select, config.preview):
        out.append(
            "the selection enables no rule, so nothing is checked "
            "(MPL001-MPL003 are not rules: see `mplint rule MPL001`)"
        )
    return out


def parse_per_file_ignores(values: list[str], cwd: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``--per-file-ignores 'tests/*:MPL201,MPL3'`` (repeatable; entries also separated by spaces).
    A pattern with a ``/`` is relative to the working directory; one without matches file names."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for value in values:
        for entry in value.split():
            pattern, colon, codes = entry.rpartition(":")
            if not colon or not pattern or not codes:
                raise ConfigError(
                    f"--per-file-ignores: expected PATTERN:CODES (like tests/*:MPL201), not {entry!r}"
                )
            if "/" in pattern and not os.path.isabs(pattern):
                pattern = os.path.join(cwd, pattern).replace(os.sep, "/")
            out.append((pattern, tuple(c for c in codes.split(",") if c)))
    return tuple(out)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(none)"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):  # per-file-ignores
            inner = ", ".join(f'"{p}" = {_toml_value(c)}' for p, c in value)
            return "{ " + inner + " }"
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"'


def show_settings(path: str, config: Config, source: Optional[Path]) -> str:
    """``--show-settings``: the file the settings for ``path`` come from and every resolved setting."""
    from mplint.engine import rules_for

    lines = [
        f"Resolved settings for: {path}",
        f"Settings file: {source if source is not None else '(none: the defaults)'}",
        f"Project root: {config.root or os.getcwd()}",
        "",
    ]
    for name in (
        "select",
        "extend_select",
        "ignore",
        "per_file_ignores",
        "exclude",
        "extend_exclude",
        "force_exclude",
        "preview",
        "fixable",
        "unfixable",
        "start_method",
        "target_version",
        "max_file_bytes",
        "max_file_lines",
        "file_time_limit",
    ):
        value = getattr(config, name)
        shown = "{}" if name == "per_file_ignores" and not value else _toml_value(value)
        lines.append(f"{name.replace('_', '-')} = {shown}")
    rules = [rule.CODE for rule in rules_for(path, config)]
    lines += ["", f"Rules run on this file ({len(rules)}): {', '.join(rules) or 'none'}"]
    return "\n".join(lines) + "\n"
