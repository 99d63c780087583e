"""The catalogue is consistent: unique codes, documented rules, fixtures for each, declared fixes."""

from __future__ import annotations

import re

import pytest

from mplint.registry import all_rules
from mplint.rule import CODE_RE, NAME_RE, LintRule

from .conftest import FIXTURES

RULES = list(all_rules())
SECTIONS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "Use instead:",
    "## Fix safety",
    "## References",
)


def test_codes_and_names_are_unique() -> None:
    codes = [r.CODE for r in RULES]
    names = [r.NAME for r in RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.CODE)
def test_rule_identity(rule: type[LintRule]) -> None:
    assert CODE_RE.match(rule.CODE)
    assert NAME_RE.match(rule.NAME)
    module = rule.__module__.rsplit(".", 1)[-1]
    assert module == rule.NAME.replace("-", "_"), "one module per rule, named by its slug"
    assert rule.MESSAGE and "\n" not in rule.MESSAGE
    assert rule.FIX in (None, "safe", "unsafe", "safe/unsafe")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.CODE)
def test_rule_docs_have_sections(rule: type[LintRule]) -> None:
    docs = rule.docs()
    positions = [docs.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), f"missing sections in {rule.CODE}: {SECTIONS}"
    assert positions == sorted(positions), "sections out of order"
    why = docs.split("## Why is this bad?", 1)[1].split("## Example", 1)[0]
    assert re.search(r"`[A-Za-z.]*(Error|Exception|Pool)\b", why) or re.search(
        r"\b(hang|hangs|forever|silently|lost|zombie)\b", why
    ), f"{rule.CODE}: 'Why is this bad?' should quote the runtime error or the observed behaviour"
    if rule.PREVIEW:
        assert "preview" in docs.lower(), "a preview rule says why in its docs"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.CODE)
def test_rule_has_fixture_and_cases(rule: type[LintRule]) -> None:
    assert (FIXTURES / f"{rule.CODE}.py").is_file()
    assert rule.VALID, f"{rule.CODE} has no VALID case"
    assert rule.INVALID, f"{rule.CODE} has no INVALID case"
    # A fixed text is checked as silent with its INVALID case and shown on the rule's page beside it.
    fixed = {c.fixed for c in rule.INVALID if c.fixed is not None}
    repeated = [i for i, case in enumerate(rule.VALID) if case.code in fixed]
    assert not repeated, f"{rule.CODE}: VALID cases {repeated} repeat an INVALID case's fixed text"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.CODE)
def test_fix_declaration_matches_cases(rule: type[LintRule]) -> None:
    fixed_cases = [c for c in rule.INVALID if c.fixed is not None]
    if rule.FIX is None:
        assert not fixed_cases, f"{rule.CODE} says it has no fix but a case expects one"
        assert rule.FIX_TITLE is None
    else:
        assert fixed_cases, f"{rule.CODE} declares a fix but no INVALID case shows it"
