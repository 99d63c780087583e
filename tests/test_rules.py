"""Every rule against its fixture file, its golden fix output, and its inline VALID/INVALID cases.

A fixture ``tests/fixtures/MPL101.py`` marks each line that must be reported with ``# error: MPL101``;
every other line must stay silent (near-misses live in the same file). ``MPL101.fixed.py`` is the file
after ``--fix --unsafe-fixes``; ``pytest --update-fixtures`` rewrites it.
"""

from __future__ import annotations

import pytest

from mplint.config import Config
from mplint.engine import lint_source
from mplint.fixes import fix_source
from mplint.registry import all_rules
from mplint.rule import LintRule

from .conftest import FIXTURES, expected_errors

RULES = list(all_rules())


def _fixture_files() -> list[tuple[type[LintRule], str]]:
    """Each rule's fixtures: ``MPL101.py`` (required, must mark errors) and ``MPL101_<shape>.py``."""
    out = []
    for rule in RULES:
        out.append((rule, f"{rule.CODE}.py"))
        for path in sorted(FIXTURES.glob(f"{rule.CODE}_*.py")):
            if not path.name.endswith(".fixed.py"):
                out.append((rule, path.name))
    return out


FIXTURE_FILES = _fixture_files()


def _config(rule: type[LintRule]) -> Config:
    return Config(select=(rule.CODE,), preview=True)


@pytest.mark.parametrize(("rule", "name"), FIXTURE_FILES, ids=[n for _, n in FIXTURE_FILES])
def test_fixture(rule: type[LintRule], name: str) -> None:
    path = FIXTURES / name
    text = path.read_text(encoding="utf-8")
    expected = expected_errors(text)
    if name == f"{rule.CODE}.py":
        assert expected, f"{path.name} marks no line with '# error: {rule.CODE}'"
    diagnostics = lint_source(str(path), text, _config(rule), raise_errors=True)
    found = {(d.line, d.code) for d in diagnostics}
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    assert not missing and not unexpected, (
        f"missing (line, code): {missing}\nunexpected: {unexpected}\n"
        + "\n".join(f"  {d.line}:{d.column} {d.code} {d.message}" for d in diagnostics)
    )


@pytest.mark.parametrize(("rule", "name"), FIXTURE_FILES, ids=[n for _, n in FIXTURE_FILES])
def test_fixture_fixes(rule: type[LintRule], name: str, update_fixtures: bool) -> None:
    path = FIXTURES / name
    golden = path.with_name(path.stem + ".fixed.py")
    text = path.read_text(encoding="utf-8")
    result = fix_source(str(path), text, _config(rule), unsafe=True)
    assert result.error is None, result.error
    if not result.applied:
        assert not golden.exists(), f"{golden.name} exists but no fix applies"
        return
    if update_fixtures:
        golden.write_text(result.text, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}: run pytest --update-fixtures"
    assert result.text == golden.read_text(encoding="utf-8")
    # Fixing the fixed file again changes nothing.
    again = fix_source(str(golden), result.text, _config(rule), unsafe=True)
    assert again.text == result.text


def _cases(kind: str) -> list[tuple[type[LintRule], int, object]]:
    out = []
    for rule in RULES:
        for index, case in enumerate(getattr(rule, kind)):
            out.append((rule, index, case))
    return out


@pytest.mark.parametrize(
    ("rule", "index", "case"), _cases("VALID"), ids=lambda v: getattr(v, "CODE", str(v))[:20]
)
def test_valid_case(rule: type[LintRule], index: int, case: object) -> None:
    from mplint.rule import Valid

    assert isinstance(case, Valid)
    found = lint_source("case.py", case.code, _config(rule), raise_errors=True)
    assert [d for d in found if d.code == rule.CODE] == [], case.code


@pytest.mark.parametrize(
    ("rule", "index", "case"), _cases("INVALID"), ids=lambda v: getattr(v, "CODE", str(v))[:20]
)
def test_invalid_case(rule: type[LintRule], index: int, case: object) -> None:
    from mplint.rule import Invalid

    assert isinstance(case, Invalid)
    found = lint_source("case.py", case.code, _config(rule), raise_errors=True)
    assert any(d.code == rule.CODE for d in found), case.code
    if case.fixed is not None:
        result = fix_source("case.py", case.code, _config(rule), unsafe=case.unsafe)
        assert result.error is None, result.error
        assert result.text == case.fixed
        if case.unsafe:
            safe_only = fix_source("case.py", case.code, _config(rule), unsafe=False)
            assert safe_only.text == case.code, "an unsafe fix was applied without --unsafe-fixes"


@pytest.mark.parametrize("rule", [r for r in RULES if r.FIX], ids=lambda r: r.CODE)
def test_fixable_rule_has_golden_output(rule: type[LintRule]) -> None:
    goldens = list(FIXTURES.glob(f"{rule.CODE}*.fixed.py"))
    assert goldens, (
        f"{rule.CODE} declares a fix but no fixture shows it (tests/fixtures/*.fixed.py)"
    )
    assert rule.FIX_TITLE, f"{rule.CODE} declares a fix but no FIX_TITLE"
