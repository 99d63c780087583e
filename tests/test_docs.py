"""The rule catalogue in rules/ is current, complete, and what `mplint rule` prints.

The pages are compared with what the rules that exist at test time render, so a new or changed rule
fails here until `python scripts/gen_rule_docs.py` is run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mplint.cli import main
from mplint.docs import INDEX_PAGE, _code_span, expected_pages, render_rule_page
from mplint.engine import lint_source
from mplint.registry import all_rules
from mplint.rule import LintRule

from .conftest import ROOT

RULES_DIR = ROOT / "rules"
SCRIPT = ROOT / "scripts" / "gen_rule_docs.py"
RULES = list(all_rules())
STALE = "rules/ is stale: run `python scripts/gen_rule_docs.py` and commit the result"


@pytest.mark.parametrize("name", sorted(expected_pages(RULES)))
def test_page_is_current(name: str) -> None:
    path = RULES_DIR / name
    assert path.is_file(), f"missing {path}; {STALE}"
    assert path.read_text(encoding="utf-8") == expected_pages(RULES)[name], f"{path}: {STALE}"


def test_no_page_for_a_rule_that_does_not_exist() -> None:
    pages = {path.name for path in RULES_DIR.glob("MPL*.md")}
    assert pages == {f"{rule.CODE}.md" for rule in RULES}, STALE


def test_rules_dir_holds_no_python() -> None:
    assert not list(RULES_DIR.rglob("*.py"))


def test_index_links_every_page() -> None:
    index = (RULES_DIR / INDEX_PAGE).read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((MPL\d{3}\.md)\)", index))
    assert linked == {f"{rule.CODE}.md" for rule in RULES}
    assert "## Files mplint could not check" in index


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.CODE)
def test_page_content(rule: type[LintRule]) -> None:
    page = render_rule_page(rule)
    assert page.startswith(f"# {rule.CODE} `{rule.NAME}`\n")
    assert f"**Severity:** {rule.SEVERITY.value}" in page
    assert "**Fix:** " in page
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix safety"):
        assert section in page
    assert rule.INVALID[0].code.strip("\n") in page
    assert rule.VALID[0].code.strip("\n") in page
    assert page.count("```") % 2 == 0, "unbalanced code fences"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.CODE)
def test_diagnostics_link_to_the_page(rule: type[LintRule]) -> None:
    assert rule.url().endswith(f"/rules/{rule.CODE}.md")
    assert (RULES_DIR / f"{rule.CODE}.md").is_file()
    case = rule.INVALID[0]
    diagnostics = [
        d
        for d in lint_source(
            "case.ipynb" if rule.NOTEBOOK else "case.py", case.code, rules=[rule], prefilter=False
        )
        if d.code == rule.CODE
    ]
    assert diagnostics and all(d.url == rule.url() for d in diagnostics)


def test_code_span_survives_backticks() -> None:
    assert _code_span("plain") == "`plain`"
    assert _code_span("`a` is b") == "`` `a` is b ``"
    assert _code_span("x `` y") == "```x `` y```"


def test_rule_command_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    rule = RULES[0]
    assert main(["rule", rule.CODE]) == 0
    assert capsys.readouterr().out == (RULES_DIR / f"{rule.CODE}.md").read_text(encoding="utf-8")
    assert main(["rule", rule.NAME]) == 0
    assert capsys.readouterr().out == render_rule_page(rule)
    assert main(["rule", "MPL999"]) == 2


def test_rule_all_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "--all", "--output-format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [item["code"] for item in data] == [rule.CODE for rule in RULES]
    for item, rule in zip(data, RULES):
        assert item["name"] == rule.NAME
        assert item["url"] == rule.url()
        assert item["explanation"] == rule.docs()
    assert main(["rules", "--output-format", "json"]) == 0
    assert [item["code"] for item in json.loads(capsys.readouterr().out)] == [r.CODE for r in RULES]


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def test_generator_writes_and_deletes(tmp_path: Path) -> None:
    catalogue = tmp_path / "rules"
    catalogue.mkdir()
    (catalogue / "MPL999.md").write_text("# a rule that is gone\n", encoding="utf-8")
    (catalogue / "notes.txt").write_text("kept\n", encoding="utf-8")
    check = _script("--check", "--dir", str(catalogue))
    assert check.returncode == 1
    assert "obsolete" in check.stdout and "stale" in check.stdout
    result = _script("--dir", str(catalogue))
    assert result.returncode == 0, result.stderr
    written = {path.name: path.read_text(encoding="utf-8") for path in catalogue.glob("*.md")}
    assert written == expected_pages(RULES)
    assert (catalogue / "notes.txt").is_file()
    assert _script("--check", "--dir", str(catalogue)).returncode == 0


def test_generator_check_passes_on_the_repository() -> None:
    result = _script("--check")
    assert result.returncode == 0, result.stdout + STALE


def test_readme_rule_table_is_current() -> None:
    from mplint.docs import README_START, replace_readme_table

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert README_START in readme
    assert replace_readme_table(readme, all_rules()) == readme, (
        "README's rule table is stale: run python scripts/gen_rule_docs.py"
    )
