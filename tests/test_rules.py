"""Every rule against its fixture file, its golden fix output, and its inline VALID/INVALID cases.

A fixture ``tests/fixtures/MPL101.py`` marks each line that must be reported with ``# error: MPL101``;
every other line must stay silent (near-misses live in the same file). ``tests/snapshots/MPL101.txt`` pins
every diagnostic of the fixture in full (position, end, code, message, fix), and
``tests/snapshots/inline/MPL101.txt`` those of the rule's INVALID cases. ``MPL101.fixed.py`` is the file
after ``--fix --unsafe-fixes``. ``pytest --update-fixtures`` rewrites the snapshots and the fixed files:
review the diff.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Union

import pytest

from mplint.config import Config
from mplint.diagnostics import Diagnostic, Related
from mplint.engine import lint_source
from mplint.fixes import fix_source
from mplint.registry import all_rules
from mplint.rule import Invalid, LintRule, Valid
from mplint.source import split_lines_keepends

from .conftest import FIXTURES, SNAPSHOTS, MarkerError, expected_errors

RULES = list(all_rules())
INLINE_SNAPSHOTS = SNAPSHOTS / "inline"
#: How much of the reported source a snapshot line quotes (the position pins the rest).
QUOTE_WIDTH = 60


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


def _as_checked(rule: type[LintRule], path: str) -> str:
    """The path a rule's case or fixture is linted under: a notebook rule's code is a notebook's
    (its cells joined, as ``mplint.notebook`` gives them to the engine)."""
    return str(Path(path).with_suffix(".ipynb")) if rule.NOTEBOOK else path


# --- snapshots -------------------------------------------------------------------------------------------


def _quote(lines: Sequence[str], diagnostic: Union[Diagnostic, Related]) -> str:
    """The start of the reported source: from the column to the end of the span or of its first line."""
    first = lines[diagnostic.line - 1].rstrip("\r\n") if diagnostic.line <= len(lines) else ""
    stop = diagnostic.end_column - 1 if diagnostic.end_line == diagnostic.line else len(first)
    text = first[diagnostic.column - 1 : stop]
    if diagnostic.end_line != diagnostic.line or len(text) > QUOTE_WIDTH:
        text = text[:QUOTE_WIDTH] + "..."
    return text


def snapshot_lines(text: str, diagnostics: Sequence[Diagnostic]) -> list[str]:
    """One line per diagnostic, in a stable order:
    ``line:column-end_line:end_column CODE message | fix <applicability>: <title> | `<source>` ``,
    followed by one line per related location:
    ``    related line:column-end_line:end_column message | `<source>` ``."""
    lines = split_lines_keepends(text)
    out = []
    for d in sorted(
        diagnostics, key=lambda d: (d.line, d.column, d.code, d.end_line, d.end_column, d.message)
    ):
        fix = "no fix" if d.fix is None else f"fix {d.fix.applicability.value}: {d.fix.message}"
        out.append(
            f"{d.line}:{d.column}-{d.end_line}:{d.end_column} {d.code} {d.message} | {fix}"
            f" | `{_quote(lines, d)}`"
        )
        out.extend(
            f"    related {r.line}:{r.column}-{r.end_line}:{r.end_column} {r.message}"
            f" | `{_quote(lines, r)}`"
            for r in d.related
        )
    return out


def check_snapshot(path: Path, actual: str, update: bool) -> None:
    """Compare ``actual`` with the snapshot file, with a unified diff when they differ."""
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), (
        f"missing snapshot {path.relative_to(FIXTURES.parent)}: run pytest --update-fixtures"
    )
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{path.name} (snapshot)",
            tofile=f"{path.name} (now)",
        )
        pytest.fail(
            "the diagnostics differ from the snapshot (if the change is intended, run pytest "
            "--update-fixtures and review the diff):\n" + "".join(diff),
            pytrace=False,
        )


# --- fixtures --------------------------------------------------------------------------------------------


def read_exact(path: Path) -> str:
    """The file's text with its line endings as they are (``read_text`` would turn CRLF into LF)."""
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize(("rule", "name"), FIXTURE_FILES, ids=[n for _, n in FIXTURE_FILES])
def test_fixture(rule: type[LintRule], name: str, update_fixtures: bool) -> None:
    path = FIXTURES / name
    text = read_exact(path)
    expected = expected_errors(text, name)
    if name == f"{rule.CODE}.py":
        assert expected, f"{path.name} marks no line with '# error: {rule.CODE}'"
    diagnostics = lint_source(_as_checked(rule, str(path)), text, _config(rule), raise_errors=True)
    found = {(d.line, d.code) for d in diagnostics}
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    assert not missing and not unexpected, (
        f"missing (line, code): {missing}\nunexpected: {unexpected}\n"
        + "\n".join(f"  {d.line}:{d.column} {d.code} {d.message}" for d in diagnostics)
    )
    lines = snapshot_lines(text, diagnostics)
    repeated = sorted({line for line in lines if lines.count(line) > 1})
    assert not repeated, "one cause, one diagnostic; reported more than once:\n" + "\n".join(
        repeated
    )
    snapshot = "".join(f"{line}\n" for line in lines)
    check_snapshot(SNAPSHOTS / f"{path.stem}.txt", snapshot, update_fixtures)


def test_every_snapshot_has_its_fixture() -> None:
    fixtures = {Path(name).stem for _, name in FIXTURE_FILES}
    stale = sorted(p.name for p in SNAPSHOTS.glob("*.txt") if p.stem not in fixtures)
    assert not stale, f"snapshots without a fixture: {stale}"
    codes = {rule.CODE for rule in RULES}
    stale = sorted(p.name for p in INLINE_SNAPSHOTS.glob("*.txt") if p.stem not in codes)
    assert not stale, f"inline snapshots without a rule: {stale}"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("p.start()  # error: MPL101\n", {(1, "MPL101")}),
        ("p.start()  #error:MPL101\n", {(1, "MPL101")}),
        ("f(a, b)  # error: MPL102, MPL102\n", {(1, "MPL102")}),
        ("f(a)  # error: MPL101,MPL105\n", {(1, "MPL101"), (1, "MPL105")}),
        ("f(a)  # error: MPL203  (tasks are pickled even under fork)\n", {(1, "MPL203")}),
        ("x = 1  # noqa: MPL101\n", set()),
        ("x = '# an error in prose'\n", set()),
    ],
)
def test_marker_grammar(line: str, expected: set[tuple[int, str]]) -> None:
    assert expected_errors(line) == expected


@pytest.mark.parametrize(
    "marker",
    [
        "# error MPL101",
        "# Error: MPL101",
        "# ERROR: MPL101",
        "# error: mpl101",
        "# error: MPL1010",
        "# error: MPL10",
        "# errors: MPL101",
        "# error: MPL101 MPL105",
        "# error: MPL101, mpl105",
        "# error: MPL101,",
        "# error:",
    ],
)
def test_malformed_marker_is_rejected(marker: str) -> None:
    with pytest.raises(MarkerError, match=r"fixture\.py:2: malformed marker"):
        expected_errors(f"x = 1\nf(a)  {marker}\n", "fixture.py")


def test_markers_are_numbered_as_python_numbers_lines() -> None:
    # str.splitlines would also split at the form feed and at U+2028, shifting the line numbers.
    text = "x = 1\f# page\ns = 'a\u2028b'\np.start()  # error: MPL201\n"
    assert expected_errors(text) == {(3, "MPL201")}


@pytest.mark.parametrize(("rule", "name"), FIXTURE_FILES, ids=[n for _, n in FIXTURE_FILES])
def test_fixture_fixes(rule: type[LintRule], name: str, update_fixtures: bool) -> None:
    path = FIXTURES / name
    golden = path.with_name(path.stem + ".fixed.py")
    text = read_exact(path)
    result = fix_source(_as_checked(rule, str(path)), text, _config(rule), unsafe=True)
    assert result.error is None, result.error
    if not result.applied:
        assert not golden.exists(), f"{golden.name} exists but no fix applies"
        return
    if update_fixtures:
        golden.write_bytes(result.text.encode("utf-8"))
    assert golden.exists(), f"missing {golden.name}: run pytest --update-fixtures"
    assert result.text == read_exact(golden)
    # Fixing the fixed file again changes nothing.
    again = fix_source(_as_checked(rule, str(golden)), result.text, _config(rule), unsafe=True)
    assert again.text == result.text


# --- inline cases ----------------------------------------------------------------------------------------


def _cases(kind: str) -> list[tuple[type[LintRule], int, object]]:
    out = []
    for rule in RULES:
        for index, case in enumerate(getattr(rule, kind)):
            out.append((rule, index, case))
    return out


def _case_header(index: int) -> str:
    return f"## INVALID[{index}]"


def _inline_snapshot(rule: type[LintRule]) -> str:
    """Every INVALID case's diagnostics of the rule's own code, case by case."""
    out = []
    for index, case in enumerate(rule.INVALID):
        found = lint_source(
            _as_checked(rule, "case.py"), case.code, _config(rule), raise_errors=True
        )
        out.append(_case_header(index))
        out.extend(snapshot_lines(case.code, [d for d in found if d.code == rule.CODE]))
    return "".join(f"{line}\n" for line in out)


def _snapshot_section(rule: type[LintRule], index: int) -> list[str]:
    """The lines the inline snapshot pins for one INVALID case."""
    path = INLINE_SNAPSHOTS / f"{rule.CODE}.txt"
    assert path.exists(), f"missing snapshot {path.name}: run pytest --update-fixtures"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = _case_header(index)
    assert header in lines, f"{path.name} has no section {header}: run pytest --update-fixtures"
    section = lines[lines.index(header) + 1 :]
    end = next(
        (i for i, line in enumerate(section) if line.startswith("## INVALID[")), len(section)
    )
    return section[:end]


def _reported_lines(snapshot: Sequence[str]) -> list[int]:
    """The line of each report, in order (repeated when a line is reported more than once); the lines
    of related locations, indented under their report, are not reports."""
    return [int(line.split(":", 1)[0]) for line in snapshot if not line.startswith(" ")]


@pytest.mark.parametrize(
    ("rule", "index", "case"), _cases("VALID"), ids=lambda v: getattr(v, "CODE", str(v))[:20]
)
def test_valid_case(rule: type[LintRule], index: int, case: object) -> None:
    assert isinstance(case, Valid)
    found = lint_source(_as_checked(rule, "case.py"), case.code, _config(rule), raise_errors=True)
    assert [d for d in found if d.code == rule.CODE] == [], case.code


@pytest.mark.parametrize(
    ("rule", "index", "case"), _cases("INVALID"), ids=lambda v: getattr(v, "CODE", str(v))[:20]
)
def test_invalid_case(
    rule: type[LintRule], index: int, case: object, update_fixtures: bool
) -> None:
    assert isinstance(case, Invalid)
    found = [
        d
        for d in lint_source(
            _as_checked(rule, "case.py"), case.code, _config(rule), raise_errors=True
        )
        if d.code == rule.CODE
    ]
    assert found, case.code
    # The lines and the number of reports (and each one in full) are pinned by the rule's inline
    # snapshot, which test_inline_snapshot rewrites with --update-fixtures.
    if not update_fixtures:
        expected = _snapshot_section(rule, index)
        actual = snapshot_lines(case.code, found)
        assert _reported_lines(actual) == _reported_lines(expected), (
            f"{rule.CODE} INVALID[{index}] is reported on lines {_reported_lines(actual)}, "
            f"pinned: {_reported_lines(expected)}\n{case.code}"
        )
        assert actual == expected
    if case.fixed is not None:
        result = fix_source(
            _as_checked(rule, "case.py"), case.code, _config(rule), unsafe=case.unsafe
        )
        assert result.error is None, result.error
        assert result.text == case.fixed
        # The fixed program is a near miss of its own: the rule is silent on it (a VALID case that
        # repeats a fixed text adds nothing).
        again = lint_source("case.py", case.fixed, _config(rule), raise_errors=True)
        assert [d for d in again if d.code == rule.CODE] == [], case.fixed
        if case.unsafe:
            safe_only = fix_source(
                _as_checked(rule, "case.py"), case.code, _config(rule), unsafe=False
            )
            assert safe_only.text == case.code, "an unsafe fix was applied without --unsafe-fixes"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.CODE)
def test_inline_snapshot(rule: type[LintRule], update_fixtures: bool) -> None:
    check_snapshot(INLINE_SNAPSHOTS / f"{rule.CODE}.txt", _inline_snapshot(rule), update_fixtures)


@pytest.mark.parametrize("rule", [r for r in RULES if r.FIX], ids=lambda r: r.CODE)
def test_fixable_rule_has_golden_output(rule: type[LintRule]) -> None:
    goldens = list(FIXTURES.glob(f"{rule.CODE}*.fixed.py"))
    assert goldens, (
        f"{rule.CODE} declares a fix but no fixture shows it (tests/fixtures/*.fixed.py)"
    )
    assert rule.FIX_TITLE, f"{rule.CODE} declares a fix but no FIX_TITLE"
