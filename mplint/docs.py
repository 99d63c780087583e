"""Rendering a rule's documentation: the rules/ pages, ``mplint rule CODE`` and the index.

Everything here is a pure function of the rule classes, so ``scripts/gen_rule_docs.py`` (which writes
``rules/``) and ``tests/test_docs.py`` (which fails when ``rules/`` is stale) agree by construction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mplint.registry import all_rules
from mplint.rule import Invalid, LintRule

__all__ = ["FAMILIES", "INDEX_PAGE", "expected_pages", "render_index", "render_rule_page"]

FAMILIES: dict[str, str] = {
    "MPL1": "Process lifecycle",
    "MPL2": "Start method, main guard and pickling",
    "MPL3": "Pools, async results and executors",
    "MPL4": "Locks, shared state and managers",
    "MPL5": "Queues and pipes",
}

#: The index page's file name in rules/.
INDEX_PAGE = "README.md"

_FIX_TEXT = {
    None: "none",
    "safe": "safe, applied by `mplint check --fix`",
    "unsafe": "unsafe, applied by `mplint check --fix --unsafe-fixes`",
    "safe/unsafe": "safe or unsafe depending on the code (see Fix safety)",
    "display": "shown, never applied",
}
#: How many VALID and INVALID cases a page shows.
EXAMPLES = 2


def _code_span(text: str) -> str:
    """``text`` as one Markdown code span, however many backticks it contains (CommonMark 6.1)."""
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    edge = text[:1] == "`" or text[-1:] == "`" or (text[:1] == " " and text[-1:] == " ")
    pad = " " if edge else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _code_block(code: str, language: str = "python") -> list[str]:
    """A fenced block longer than any backtick run inside ``code``."""
    body = code.strip("\n")
    runs = [len(run) for run in re.findall(r"`{3,}", body)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return [f"{fence}{language}", body, fence, ""]


def _family(code: str) -> str:
    prefix = code[:4]
    title = FAMILIES.get(prefix)
    return f"{title} ({prefix}xx)" if title else prefix


def render_rule_page(rule: type[LintRule]) -> str:
    """The Markdown page of one rule (rules/MPL101.md), also what ``mplint rule`` prints."""
    facts = [
        f"**Severity:** {rule.SEVERITY.value}",
        f"**Fix:** {_FIX_TEXT.get(rule.FIX, rule.FIX)}",
        f"**Family:** {_family(rule.CODE)}",
    ]
    lines = [f"# {rule.CODE} `{rule.NAME}`", "", " · ".join(facts), ""]
    if rule.PREVIEW:
        lines += [
            "**Preview:** this rule runs only with `--preview` (or `preview = true`) while it proves "
            "itself on real code.",
            "",
        ]
    lines += _supersession(rule)
    lines += [f"Message: {_code_span(rule.MESSAGE)}", ""]
    if rule.FIX_TITLE:
        lines += [f"Fix title: {_code_span(rule.FIX_TITLE)}", ""]
    lines += [rule.docs(), ""]
    lines += _examples(rule)
    lines += [
        f"Suppress it on one line with `# noqa: {rule.CODE}`, or select and ignore it by code or by "
        f"name (`{rule.NAME}`). [All rules]({INDEX_PAGE})",
    ]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip() + "\n"


def _supersession(rule: type[LintRule]) -> list[str]:
    """Which codes the rule supersedes on the same node, and which supersede it (``mplint.dedup``)."""

    def links(codes: Sequence[str]) -> str:
        return ", ".join(f"[{code}]({code}.md)" for code in sorted(codes))

    out: list[str] = []
    if rule.SUPERSEDES:
        out += [
            f"**Supersedes:** {links(list(rule.SUPERSEDES))}: where one of them reports the same "
            "expression as this rule, only this rule's diagnostic is shown, with the other's "
            "message as a related note.",
            "",
        ]
    above = [other.CODE for other in all_rules() if rule.CODE in other.SUPERSEDES]
    if above:
        out += [
            f"**Superseded by:** {links(above)}: where one of them reports the same expression, "
            "this rule's finding is shown as a related note of that diagnostic (unless that rule "
            "is not selected, or is suppressed there).",
            "",
        ]
    return out


def _fixed_caption(case: Invalid) -> str:
    flags = "--fix --unsafe-fixes" if case.unsafe else "--fix"
    return f"After `mplint check {flags}`:"


def _examples(rule: type[LintRule]) -> list[str]:
    out: list[str] = []
    if rule.INVALID:
        out += ["## Flagged (from the rule's test cases)", ""]
        for case in rule.INVALID[:EXAMPLES]:
            out += _code_block(case.code)
            if case.fixed is not None:
                out += [_fixed_caption(case), ""]
                out += _code_block(case.fixed)
    if rule.VALID:
        out += ["## Not flagged (from the rule's test cases)", ""]
        for valid in rule.VALID[:EXAMPLES]:
            out += _code_block(valid.code)
    return out


def _table_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_index(rules: Sequence[type[LintRule]]) -> str:
    lines = [
        "# mplint rules",
        "",
        "Generated by `python scripts/gen_rule_docs.py` from each rule's docstring and test cases;",
        "a test fails when these pages are stale. `mplint rule CODE` prints the same page.",
        "",
        "Fix: **safe** fixes are applied by `mplint check --fix`, **unsafe** ones also need",
        "`--unsafe-fixes`. Preview rules run only with `--preview`.",
        "",
    ]
    prefixes = list(FAMILIES)
    prefixes += sorted({r.CODE[:4] for r in rules} - set(FAMILIES))
    for prefix in prefixes:
        members = [r for r in rules if r.CODE.startswith(prefix)]
        if not members:
            continue
        lines += [f"## {_family(prefix)}", "", "| Code | Name | Severity | Fix | Summary |"]
        lines += ["| --- | --- | --- | --- | --- |"]
        for r in members:
            name = f"`{r.NAME}`" + (" (preview)" if r.PREVIEW else "")
            lines.append(
                f"| [{r.CODE}]({r.CODE}.md) | {name} | {r.SEVERITY.value} | {r.FIX or '—'} | "
                f"{_table_cell(r.summary())} |"
            )
        lines.append("")
    lines += [
        "## Files mplint could not check",
        "",
        "These codes are not rules and cannot be disabled; they say a file was not (fully) checked.",
        "",
        "| Code | Meaning |",
        "| --- | --- |",
        "| MPL001 | syntax error: the file does not parse |",
        "| MPL002 | I/O error: unreadable, undecodable, vanished, or a fix could not be written |",
        "| MPL003 | internal error: a rule crashed on this file (the other rules still ran) |",
        "| MPL004 | parser limit (a warning): Python compiles the file, but libcst's parser cannot "
        "read it |",
        "| MPL005 | budget exceeded (a warning): the file is over `max-file-bytes` or "
        "`max-file-lines`, or its check took longer than `file-time-limit` |",
        "",
        "`MPL004` names the parser's message. It is a limit of libcst (the parser mplint is built "
        "on), not an error in the file: libcst 1.x refuses a keyword or operator written right "
        "against a parenthesized conditional expression or lambda, such as `assert(a if c else b)`, "
        "`return(lambda: x)`, `not(a if c else b)` or `(a if c else b)if d else e` (a space after "
        "the keyword, `assert (a if c else b)`, is read), and it can run out of stack on very deeply "
        "nested code. Such a file is not checked. `MPL004` counts as a finding for the exit code, so "
        "`--exit-zero` still exits 0; `MPL003` (an internal error) exits 2.",
        "",
        "`MPL005` names the limit the file is over and how to raise it: `max-file-bytes` (default "
        "10,000,000), `max-file-lines` (default 100,000) and `file-time-limit` (default 60 seconds) "
        "in `[tool.mplint]`, or `--max-file-bytes`, `--max-file-lines` and `--file-time-limit` on "
        "the command line; 0 turns a limit off. `mplint check` abandons a file whose check runs out "
        "of time and goes on with the others (the time limit needs a POSIX system; the size limits "
        "apply everywhere, the flake8 plugin and the language server included). Like `MPL004`, it "
        "counts as a finding for the exit code: a file that was not checked does not pass silently, "
        "but it is not a failure of mplint either.",
        "",
    ]
    return "\n".join(lines)


def expected_pages(rules: Sequence[type[LintRule]]) -> dict[str, str]:
    """Every file rules/ must hold: ``MPL101.md`` … and ``README.md``, name -> text."""
    pages = {f"{rule.CODE}.md": render_rule_page(rule) for rule in rules}
    pages[INDEX_PAGE] = render_index(rules)
    return pages


README_START = "<!-- rules-table:start (generated by scripts/gen_rule_docs.py) -->"
README_END = "<!-- rules-table:end -->"


def render_readme_table(rules: Sequence[type[LintRule]]) -> str:
    """The rule table in the project README (between the markers), one row per rule."""
    lines = [
        README_START,
        "",
        "| Code | Name | Severity | Fix | What goes wrong |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        name = f"`{rule.NAME}`" + (" (preview)" if rule.PREVIEW else "")
        lines.append(
            f"| [{rule.CODE}](rules/{rule.CODE}.md) | {name} | {rule.SEVERITY.value} | "
            f"{rule.FIX or '—'} | {_table_cell(rule.summary())} |"
        )
    lines += ["", README_END]
    return "\n".join(lines)


def replace_readme_table(readme: str, rules: Sequence[type[LintRule]]) -> str:
    """``readme`` with its generated rule table brought up to date."""
    start = readme.find(README_START)
    end = readme.find(README_END)
    if start < 0 or end < start:
        return readme
    return readme[:start] + render_readme_table(rules) + readme[end + len(README_END) :]
