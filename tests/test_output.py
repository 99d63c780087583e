"""Output formats, --statistics, --show-fixes, --color and --add-noqa.

Golden outputs come from a fixed set of inputs of their own (tests/golden/input/, with a pyproject.toml
that selects a fixed set of rules), so rules and fixtures added later do not change them.
``pytest --update-fixtures`` rewrites tests/golden/*.txt; review the diff.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tokenize
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Optional

import pytest

from mplint.cli import main
from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Related, Severity
from mplint.output import (
    FORMATS,
    OutputContext,
    concise,
    fix_applies,
    full,
    get_renderer,
    github,
    json_format,
    junit,
    sarif,
)
from mplint.output._text import split_lines
from mplint.output.color import use_color
from mplint.output.noqa import add_noqa
from mplint.registry import all_rules
from mplint.suppression import add_noqa_codes, parse_suppressions

from .conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
INPUT = GOLDEN / "input"
#: The OASIS SARIF 2.1.0 schema (errata 01), kept in the repository so that validation never skips.
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
ANSI = "\x1b["

#: golden name -> arguments after `mplint check --no-cache` (the path `input` is appended)
GOLDEN_RUNS: dict[str, list[str]] = {
    "concise": [],
    "concise-show-fixes": ["--show-fixes"],
    "concise-unsafe-fixes": ["--unsafe-fixes"],
    "concise-color": ["--color", "always"],
    "full": ["--output-format", "full"],
    "json": ["--output-format", "json"],
    "json-lines": ["--output-format", "json-lines"],
    "sarif": ["--output-format", "sarif"],
    "github": ["--output-format", "github"],
    "github-show-fixes": ["--output-format", "github", "--show-fixes"],
    "junit": ["--output-format", "junit"],
    "pylint": ["--output-format", "pylint"],
    "statistics": ["--statistics"],
    "statistics-json": ["--statistics", "--output-format", "json"],
}
#: runs that apply fixes work on a copy of the inputs
GOLDEN_FIX_RUNS: dict[str, list[str]] = {
    "fix-show-fixes": ["--fix", "--show-fixes"],
    "fix-full": ["--fix", "--output-format", "full"],
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def run_mplint(
    *args: str, cwd: Path = GOLDEN, env: Optional[dict[str, str]] = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mplint", *args],
        cwd=cwd,
        env=env or _env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def _normalize_sarif(text: str) -> str:
    """Rules are added concurrently: the golden SARIF keeps the results and the shape, not the rule
    list (checked against the registry in test_sarif_rules_describe_every_rule)."""
    log = json.loads(text)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    driver["rules"] = "<every rule: see test_sarif_rules_describe_every_rule>"
    driver["version"] = driver["semanticVersion"] = "<version>"
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "<the current directory>"
    for result in run["results"]:
        result["ruleIndex"] = "<index>"
    return json.dumps(log, indent=2) + "\n"


def _check_golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / f"{name}.txt"
    if update:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return
    assert path.is_file(), f"missing {path}: run pytest --update-fixtures and review it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path} differs; if the change is intended, pytest --update-fixtures"


#: golden runs made in a subprocess, as a user runs mplint (the others call the CLI in-process)
SUBPROCESS_RUNS = {"concise", "full", "github", "junit", "sarif"}


@pytest.mark.parametrize("name", sorted(GOLDEN_RUNS))
def test_golden(
    name: str,
    update_fixtures: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if name in SUBPROCESS_RUNS:
        result = run_mplint("check", "--no-cache", *GOLDEN_RUNS[name], "input")
        code, out, err = result.returncode, result.stdout, result.stderr
    else:
        code, out, err = _run_in_process(capsys, monkeypatch, *GOLDEN_RUNS[name])
    assert code == 1, err
    assert err == ""
    text = _normalize_sarif(out) if name == "sarif" else out
    _check_golden(name, text, update_fixtures)


@pytest.mark.parametrize("name", sorted(GOLDEN_FIX_RUNS))
def test_golden_after_fix(name: str, tmp_path: Path, update_fixtures: bool) -> None:
    shutil.copytree(INPUT, tmp_path / "input")
    result = run_mplint("check", "--no-cache", *GOLDEN_FIX_RUNS[name], "input", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    _check_golden(name, result.stdout, update_fixtures)


def test_every_format_has_a_golden_output() -> None:
    covered = {
        args[args.index("--output-format") + 1]
        for args in GOLDEN_RUNS.values()
        if args[:1] == ["--output-format"]
    }
    assert covered | {"concise"} == set(FORMATS)


# --- in-process helpers ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_colour_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def _run_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(GOLDEN)
    code = main(["check", "--no-cache", *args, "input"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _json_diagnostics(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    _, out, _ = _run_in_process(capsys, monkeypatch, "--output-format", "json")
    data: list[dict[str, Any]] = json.loads(out)
    return data


def _diagnostic(
    code: str = "MPL105",
    line: int = 1,
    column: int = 1,
    end_line: Optional[int] = None,
    end_column: Optional[int] = None,
    fix: Optional[Fix] = None,
    severity: Severity = Severity.ERROR,
    path: str = "app.py",
    message: str = "something is wrong",
) -> Diagnostic:
    return Diagnostic(
        path=path,
        code=code,
        name="daemon-set-after-start",
        message=message,
        severity=severity,
        line=line,
        column=column,
        end_line=line if end_line is None else end_line,
        end_column=column + 1 if end_column is None else end_column,
        fix=fix,
        url=f"https://example.invalid/{code}",
        noqa_line=line,
    )


def _fix(applicability: Applicability, *edits: Edit) -> Fix:
    return Fix(applicability, "Do the right thing", edits or (Edit(1, 1, 1, 1, "x"),))


# --- concise -----------------------------------------------------------------------------------------


def test_concise_summary_wording_follows_ruff() -> None:
    safe = _diagnostic(fix=_fix(Applicability.SAFE))
    unsafe = _diagnostic(fix=_fix(Applicability.UNSAFE))
    display = _diagnostic(fix=_fix(Applicability.DISPLAY))
    plain = _diagnostic()
    context = OutputContext()
    assert concise.summary([], context) == "All checks passed!\n"
    assert concise.summary([plain], context) == "Found 1 error.\n"
    assert concise.summary([safe, unsafe, unsafe, display], context) == (
        "Found 4 errors.\n"
        "[*] 1 fixable with `--fix` (2 unsafe fixes available with `--fix --unsafe-fixes`).\n"
    )
    assert concise.summary([unsafe, plain], context) == (
        "Found 2 errors.\n1 unsafe fix available with `--fix --unsafe-fixes`.\n"
    )
    assert concise.summary([safe, unsafe], OutputContext(unsafe_fixes=True)) == (
        "Found 2 errors.\n[*] 2 fixable with `--fix`.\n"
    )
    fixed = OutputContext(fix_mode=True, fixed=3)
    assert concise.summary([unsafe], fixed) == (
        "Found 4 errors (3 fixed, 1 remaining).\n1 unsafe fix available with `--fix --unsafe-fixes`.\n"
    )
    assert concise.summary([], fixed) == "Found 3 errors (3 fixed, 0 remaining).\n"


def test_fix_marker_follows_the_flags() -> None:
    assert fix_applies(_fix(Applicability.SAFE), OutputContext())
    assert not fix_applies(_fix(Applicability.UNSAFE), OutputContext())
    assert fix_applies(_fix(Applicability.UNSAFE), OutputContext(unsafe_fixes=True))
    assert not fix_applies(_fix(Applicability.DISPLAY), OutputContext(unsafe_fixes=True))
    assert not fix_applies(Fix(Applicability.SAFE, "nothing", ()), OutputContext())
    text = concise.render([_diagnostic(fix=_fix(Applicability.UNSAFE))], OutputContext())
    assert "MPL105 something" in text
    text = concise.render(
        [_diagnostic(fix=_fix(Applicability.UNSAFE))], OutputContext(unsafe_fixes=True)
    )
    assert "MPL105 [*] something" in text


def test_line_formats_keep_one_line_per_diagnostic() -> None:
    odd = _diagnostic(message="first\nsecond\r\x1b[31mred", path="a\nb.py")
    for name in ("concise", "pylint"):
        renderer = get_renderer(name)
        assert renderer is not None
        text = renderer([odd], OutputContext(quiet=True))
        assert text.count("\n") == 1, name
        assert "\x1b" not in text


def test_quiet_prints_diagnostics_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _run_in_process(capsys, monkeypatch, "-q")
    assert code == 1
    assert "Found" not in out
    assert all(re.match(r"^input/\w+\.py:\d+:\d+: MPL\d{3} ", line) for line in out.splitlines())


# --- full --------------------------------------------------------------------------------------------


def test_full_aligns_carets_after_tabs_and_wide_characters() -> None:
    source = 'x = f("名前\tcafé", g(1))\n'
    column = source.index("g(1)") + 1
    d = _diagnostic(line=1, column=column, end_column=column + 4)
    text = full.render([d], OutputContext(sources={"app.py": source}, quiet=True))
    lines = text.splitlines()
    code_line = next(line for line in lines if line.startswith("1 |"))
    caret_line = next(line for line in lines if "^" in line)
    shown = code_line[len("1 | ") :]
    assert "\t" not in shown
    prefix = shown[: shown.index("g(1)")]
    width = sum(2 if ch in "名前" else 1 for ch in prefix)
    assert caret_line.index("^") - len("  | ") == width
    assert caret_line.count("^") == 4
    assert caret_line.endswith(" daemon-set-after-start")


def test_full_shows_controls_as_symbols_and_works_without_source() -> None:
    source = "a = 1\nb = '\x1b[2J'\n"
    d = _diagnostic(line=2, column=1, end_column=4)
    text = full.render([d], OutputContext(sources={"app.py": source}))
    assert "\x1b" not in text
    assert "\u241b[2J" in text
    bare = full.render([_diagnostic(line=7)], OutputContext(quiet=True))
    assert " --> app.py:7:1" in bare
    assert "= daemon-set-after-start" in bare


def test_full_underlines_every_line_of_a_multi_line_range_and_elides_long_ones() -> None:
    source = "".join(f"line{n} = {n}\n" for n in range(1, 31))
    d = _diagnostic(line=3, column=1, end_line=25, end_column=8)
    text = full.render([d], OutputContext(sources={"app.py": source}, quiet=True))
    assert "..." in text
    assert " 3 | line3 = 3" in text
    assert "25 | line25 = 25" in text
    assert "line12 = 12" not in text
    assert text.count("daemon-set-after-start") == 1


def test_full_diff_numbers_lines_of_the_fixed_file() -> None:
    source = "a = 1\nb = 2\nc = 3\n"
    fix = Fix(
        Applicability.SAFE,
        "Insert a line",
        (Edit(2, 1, 2, 1, "inserted = 0\n"), Edit(3, 1, 4, 1, "")),
    )
    d = _diagnostic(line=2, column=1, end_column=2, fix=fix)
    text = full.render([d], OutputContext(sources={"app.py": source}, quiet=True))
    diff = text.split("help: Insert a line\n", 1)[1]
    assert "1 | a = 1" in diff
    assert "2 + inserted = 0" in diff
    assert "3 | b = 2" in diff
    assert "  - c = 3" in diff
    assert "note:" not in diff
    assert full.apply_edits("a\r\nb\rc\n", [Edit(2, 1, 2, 2, "B")]) == "a\r\nB\rc\n"
    assert full.apply_edits("ab", [Edit(1, 1, 1, 2, ""), Edit(1, 1, 1, 3, "")]) is None


RELATED_SOURCE = "SETTING = 1\n\n\ndef work():\n    return SETTING\n\n\ndef main():\n    global SETTING\n    SETTING = 2\n    SETTING += 1\n"


def _with_related() -> Diagnostic:
    """A diagnostic on line 10 with two related locations (lines 11 and 5)."""
    return dataclasses.replace(
        _diagnostic(
            code="MPL208", line=10, column=5, end_column=12, message="`SETTING` is rebound"
        ),
        related=(
            Related("app.py", 11, 5, 11, 17, "`SETTING` is also set here"),
            Related("app.py", 5, 12, 5, 19, "worker `work()` reads `SETTING` here"),
        ),
    )


def test_full_shows_related_locations_as_notes() -> None:
    context = OutputContext(sources={"app.py": RELATED_SOURCE}, quiet=True)
    text = full.render([_with_related()], context)
    notes = text.split("daemon-set-after-start\n", 1)[1]
    assert notes == (
        "11 |     SETTING += 1\n"
        "   |\n"
        "note: `SETTING` is also set here\n"
        "  --> app.py:11:5\n"
        "   |\n"
        "11 |     SETTING += 1\n"
        "   |     ------------\n"
        "   |\n"
        "note: worker `work()` reads `SETTING` here\n"
        " --> app.py:5:12\n"
        "  |\n"
        "5 |     return SETTING\n"
        "  |            -------\n"
        "  |\n"
        "\n"
    )
    bare = full.render([_with_related()], OutputContext(quiet=True))
    assert "note: `SETTING` is also set here\n  --> app.py:11:5\n" in bare


@pytest.mark.parametrize("name", sorted(set(FORMATS) - {"full", "sarif"}))
def test_formats_without_related_locations_are_unchanged_by_them(name: str) -> None:
    renderer = get_renderer(name)
    assert renderer is not None
    context = OutputContext(sources={"app.py": RELATED_SOURCE}, checked_files=["app.py"])
    plain = dataclasses.replace(_with_related(), related=())
    assert renderer([_with_related()], context) == renderer([plain], context)


# --- json / json-lines / pylint ------------------------------------------------------------------------

RUFF_KEYS = {
    "cell",
    "code",
    "end_location",
    "filename",
    "fix",
    "location",
    "message",
    "name",
    "noqa_row",
    "severity",
    "url",
}


def test_json_uses_ruffs_keys(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _json_diagnostics(capsys, monkeypatch)
    assert data
    for item in data:
        assert set(item) == RUFF_KEYS
        assert set(item["location"]) == {"row", "column"}
        if item["fix"] is not None:
            assert set(item["fix"]) == {"applicability", "edits", "message"}
            for edit in item["fix"]["edits"]:
                assert set(edit) == {"content", "location", "end_location"}


def test_json_lines_match_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _json_diagnostics(capsys, monkeypatch)
    _, out, _ = _run_in_process(capsys, monkeypatch, "--output-format", "json-lines")
    assert [json.loads(line) for line in out.splitlines()] == data
    assert json_format.render([], OutputContext()) == "[]\n"
    renderer = get_renderer("json-lines")
    assert renderer is not None
    assert renderer([], OutputContext()) == ""


def test_pylint_lines(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    data = _json_diagnostics(capsys, monkeypatch)
    _, out, _ = _run_in_process(capsys, monkeypatch, "--output-format", "pylint")
    expected = [
        f"{d['filename']}:{d['location']['row']}: [{d['code']}] {d['message']}" for d in data
    ]
    assert out.splitlines() == expected


# --- github ------------------------------------------------------------------------------------------

GITHUB_LINE = re.compile(
    r"^::(?P<kind>error|warning) file=(?P<file>[^,]*),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"endLine=(?P<end_line>\d+),endColumn=(?P<end_col>\d+),title=(?P<title>[^,:]*)::(?P<message>.*)$"
)


def _unescape(value: str) -> str:
    for escaped, char in (("%3A", ":"), ("%2C", ","), ("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        value = value.replace(escaped, char)
    return value


def test_github_lines_match_the_diagnostics(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _json_diagnostics(capsys, monkeypatch)
    _, out, _ = _run_in_process(capsys, monkeypatch, "--output-format", "github")
    lines = out.splitlines()
    assert len(lines) == len(data)
    for line, d in zip(lines, data):
        match = GITHUB_LINE.match(line)
        assert match, line
        assert match["kind"] == d["severity"]
        assert match["file"] == d["filename"]
        assert (int(match["line"]), int(match["col"])) == (
            d["location"]["row"],
            d["location"]["column"],
        )
        assert (int(match["end_line"]), int(match["end_col"])) == (
            d["end_location"]["row"],
            d["end_location"]["column"],
        )
        assert match["title"] == d["code"]
        assert _unescape(match["message"]) == d["message"]
    assert any(line.startswith("::warning ") for line in lines)  # MPL108 is a warning


def test_github_escaping() -> None:
    assert github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    d = _diagnostic(path="dir,1/a:b.py", message="uses 100%\nof: the, cpu")
    (line,) = github.render([d], OutputContext()).splitlines()
    match = GITHUB_LINE.match(line)
    assert match, line
    assert _unescape(match["file"]) == "dir,1/a:b.py"
    assert _unescape(match["message"]) == "uses 100%\nof: the, cpu"


# --- junit -------------------------------------------------------------------------------------------


def test_junit_parses_and_counts_every_checked_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _json_diagnostics(capsys, monkeypatch)
    _, out, _ = _run_in_process(capsys, monkeypatch, "--output-format", "junit")
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {
        "input/clean.py",
        "input/pool_app.py",
        "input/threads.py",
        "input/workers.py",
    }
    clean = suites["input/clean.py"]
    (case,) = list(clean.iter("testcase"))
    assert case.find("failure") is None and case.find("error") is None
    assert clean.get("tests") == "1" and clean.get("failures") == "0"
    failures = list(root.iter("failure"))
    assert len(failures) == len(data) == int(root.get("failures", "-1"))
    assert int(root.get("tests", "-1")) == len(data) + 1
    assert {f.get("type") for f in failures} == {d["code"] for d in data}


def test_junit_reports_unchecked_files_as_errors_and_stays_well_formed() -> None:
    meta = Diagnostic(
        path="bad\x0c.py",
        code="MPL001",
        name="syntax-error",
        message="SyntaxError: bad \x00 byte & <tag>",
        severity=Severity.ERROR,
        line=1,
        column=1,
        end_line=1,
        end_column=1,
    )
    text = junit.render([meta], OutputContext(checked_files=["bad\x0c.py", "ok.py"]))
    root = ET.fromstring(text.encode("utf-8"))
    assert root.get("errors") == "1" and root.get("failures") == "0" and root.get("tests") == "2"
    error = root.find("testsuite/testcase/error")
    assert error is not None and "& <tag>" in (error.get("message") or "")


# --- sarif -------------------------------------------------------------------------------------------


def _sarif_validator() -> Any:
    assert SARIF_SCHEMA.is_file(), f"the SARIF schema is missing: {SARIF_SCHEMA}"
    import jsonschema  # a test dependency (pyproject.toml): a missing one fails, not skips

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def _assert_valid_sarif(log: dict[str, Any]) -> None:
    validator = _sarif_validator()
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture(scope="module")
def sarif_log() -> dict[str, Any]:
    result = run_mplint("check", "--no-cache", "--output-format", "sarif", "input")
    assert result.returncode == 1, result.stderr
    log: dict[str, Any] = json.loads(result.stdout)
    return log


def test_sarif_is_valid_against_the_official_schema(sarif_log: dict[str, Any]) -> None:
    _assert_valid_sarif(sarif_log)


def test_sarif_variants_are_valid(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import multiprocessing\ndef f(:\n", encoding="utf-8")
    result = run_mplint(
        "check", "--no-cache", "--output-format", "sarif", str(broken), cwd=tmp_path
    )
    log = json.loads(result.stdout)
    _assert_valid_sarif(log)
    (item,) = log["runs"][0]["results"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert item["ruleId"] == "MPL001" == rules[item["ruleIndex"]]["id"]
    assert item["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "broken.py",
        "uriBaseId": "%SRCROOT%",
    }
    _assert_valid_sarif(sarif.to_sarif([], OutputContext()))
    statistics = json.loads(
        sarif.render_statistics([_diagnostic(fix=_fix(Applicability.SAFE))], OutputContext())
    )
    _assert_valid_sarif(statistics)
    assert statistics["runs"][0]["properties"]["statistics"][0]["fixable_count"] == 1
    outside = sarif.to_sarif([_diagnostic(path="/elsewhere/a b.py")], OutputContext())
    location = outside["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///elsewhere/a%20b.py"}
    _assert_valid_sarif(outside)


def test_sarif_related_locations() -> None:
    log = sarif.to_sarif([_with_related()], OutputContext())
    _assert_valid_sarif(log)
    (result,) = log["runs"][0]["results"]
    assert result["relatedLocations"] == [
        {
            "id": 0,
            "physicalLocation": {
                "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 11, "startColumn": 5, "endLine": 11, "endColumn": 17},
            },
            "message": {"text": "`SETTING` is also set here"},
        },
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 5, "startColumn": 12, "endLine": 5, "endColumn": 19},
            },
            "message": {"text": "worker `work()` reads `SETTING` here"},
        },
    ]
    plain = sarif.to_sarif([dataclasses.replace(_with_related(), related=())], OutputContext())
    assert "relatedLocations" not in plain["runs"][0]["results"][0]


def test_sarif_of_the_golden_inputs_has_the_superseded_rule_as_a_related_location(
    sarif_log: dict[str, Any],
) -> None:
    results = sarif_log["runs"][0]["results"]
    (lock,) = [r for r in results if r["ruleId"] == "MPL504"]
    assert not [r for r in results if r["ruleId"] == "MPL205"]
    (note,) = lock["relatedLocations"]
    assert note["physicalLocation"] == lock["locations"][0]["physicalLocation"]
    assert note["message"]["text"].startswith("also MPL205 (unpicklable-argument): `guard` is a")


def test_sarif_rules_describe_every_rule(sarif_log: dict[str, Any]) -> None:
    run = sarif_log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == GOLDEN.as_uri() + "/"
    rules = run["tool"]["driver"]["rules"]
    by_id = {descriptor["id"]: descriptor for descriptor in rules}
    assert len(by_id) == len(rules)
    for rule in all_rules():
        descriptor = by_id[rule.CODE]
        assert descriptor["name"] == rule.NAME
        assert descriptor["shortDescription"]["text"] == rule.summary()
        assert descriptor["fullDescription"]["text"]
        assert "## Why is this bad?" in descriptor["help"]["text"]
        assert descriptor["help"]["markdown"].startswith(f"# {rule.CODE}")
        assert descriptor["helpUri"] == rule.url()
        assert descriptor["defaultConfiguration"]["level"] == rule.SEVERITY.value
    assert {"MPL001", "MPL002", "MPL003"} <= set(by_id)


def test_sarif_results_locations_and_fixes(
    sarif_log: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _json_diagnostics(capsys, monkeypatch)
    run = sarif_log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(data)
    for result, d in zip(run["results"], data):
        assert result["ruleId"] == d["code"] == rules[result["ruleIndex"]]["id"]
        assert result["level"] == d["severity"]
        assert result["message"]["text"] == d["message"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": d["filename"], "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {
            "startLine": d["location"]["row"],
            "startColumn": d["location"]["column"],
            "endLine": d["end_location"]["row"],
            "endColumn": d["end_location"]["column"],
        }
        if d["fix"] is None:
            assert "fixes" not in result
            continue
        (fix,) = result["fixes"]
        assert fix["description"]["text"] == d["fix"]["message"]
        assert fix["properties"]["applicability"] == d["fix"]["applicability"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == location["artifactLocation"]
        for replacement, edit in zip(change["replacements"], d["fix"]["edits"]):
            region = replacement["deletedRegion"]
            assert (region["startLine"], region["startColumn"]) == (
                edit["location"]["row"],
                edit["location"]["column"],
            )
            assert (region["endLine"], region["endColumn"]) == (
                edit["end_location"]["row"],
                edit["end_location"]["column"],
            )
            assert replacement.get("insertedContent", {"text": ""})["text"] == edit["content"]


# --- statistics, output file -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_statistics_with_every_format(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _run_in_process(capsys, monkeypatch, "--statistics", "--output-format", name)
    assert code == 1, err
    if name == "json":
        rows = json.loads(out)
        assert {row["code"] for row in rows} >= {"MPL101", "MPL105"}
        assert all(
            set(row) == {"code", "name", "count", "fixable", "fixable_count"} for row in rows
        )
    elif name == "json-lines":
        assert json.loads(out.splitlines()[0])["code"] == "MPL101"
    elif name == "sarif":
        log = json.loads(out)
        assert log["runs"][0]["properties"]["statistics"][0] == {
            "code": "MPL101",
            "name": "bad-process-target",
            "count": 2,
            "fixable": False,
            "fixable_count": 0,
        }
    elif name == "junit":
        assert ET.fromstring(out.encode("utf-8")).tag == "testsuites"
    else:
        assert out.splitlines()[0] == "2\tMPL101\t[ ] bad-process-target"
        assert "Found 7 errors." in out


def test_output_file(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = run_mplint(
        "check",
        "--no-cache",
        "--output-format",
        "json",
        "--output-file",
        str(report),
        "input",
        env=_env(FORCE_COLOR="1"),
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert json.loads(report.read_text(encoding="utf-8"))
    text_report = tmp_path / "report.txt"
    result = run_mplint(
        "check", "--no-cache", "--output-file", str(text_report), "input", env=_env(FORCE_COLOR="1")
    )
    assert ANSI not in text_report.read_text(encoding="utf-8")


# --- colour ------------------------------------------------------------------------------------------


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_use_color_decision() -> None:
    tty, pipe = _Stream(True), _Stream(False)
    assert use_color("auto", tty, {})
    assert not use_color("auto", pipe, {})
    assert not use_color("auto", tty, {"NO_COLOR": "1"})
    assert use_color("auto", tty, {"NO_COLOR": ""})
    assert use_color("auto", pipe, {"FORCE_COLOR": "1"})
    assert not use_color("auto", tty, {"TERM": "dumb"})
    assert use_color("always", pipe, {"NO_COLOR": "1"})
    assert not use_color("never", tty, {"FORCE_COLOR": "1"})
    assert not use_color("auto", None, {"FORCE_COLOR": "1"})
    assert use_color("always", None, {})


def test_no_color_on_a_pipe_and_color_when_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = run_mplint("check", "--no-cache", "--output-format", "full", "input")
    assert ANSI not in plain.stdout
    forced = run_mplint(
        "check", "--no-cache", "--output-format", "full", "--color", "always", "input"
    )
    assert ANSI in forced.stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", forced.stdout) == plain.stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, out, _ = _run_in_process(capsys, monkeypatch)
    assert ANSI in out
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(GOLDEN)
    assert main(["check", "--no-cache", "input"]) == 1
    assert ANSI not in capsys.readouterr().out
    _, out, _ = _run_in_process(capsys, monkeypatch, "--output-format", "json", "--color", "always")
    assert ANSI not in out


def _run_on_a_terminal(*args: str, env: dict[str, str]) -> str:
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "mplint", *args],
            cwd=GOLDEN,
            env=env,
            stdout=slave,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=300)
    finally:
        os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_color_on_a_terminal_unless_no_color() -> None:
    args = ("check", "--no-cache", "input")
    assert ANSI in _run_on_a_terminal(*args, env=_env(TERM="xterm"))
    assert ANSI not in _run_on_a_terminal(*args, env=_env(TERM="xterm", NO_COLOR="1"))
    assert ANSI not in _run_on_a_terminal(*args, "--color", "never", env=_env(TERM="xterm"))


# --- --show-fixes ------------------------------------------------------------------------------------


def test_show_fixes_in_full_shows_the_diff(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = _run_in_process(capsys, monkeypatch, "--output-format", "full", "--show-fixes")
    assert "help: Call `close()` before `join()`" in out
    assert "+     pool.close()" in out


# --- --add-noqa --------------------------------------------------------------------------------------


def _comments(text: str) -> dict[int, str]:
    return {
        token.start[0]: token.string
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    }


def test_add_noqa_silences_every_diagnostic(tmp_path: Path) -> None:
    shutil.copytree(INPUT, tmp_path / "input")
    before = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "input").glob("*.py")}
    result = run_mplint("check", "--no-cache", "--add-noqa", "input", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("Added 7 noqa directives.")
    workers = (tmp_path / "input" / "workers.py").read_text(encoding="utf-8")
    assert "    writer.terminate()  # noqa: MPL108\n" in workers
    # the code MPL504 superseded goes along: MPL504 alone would leave MPL205 to be reported
    threads = (tmp_path / "input" / "threads.py").read_text(encoding="utf-8")
    assert "args=(path, guard))  # noqa: MPL205, MPL504\n" in threads
    pool = (tmp_path / "input" / "pool_app.py").read_text(encoding="utf-8")
    assert "pool.join()  # the pool is still running  # noqa: MPL302" in pool
    assert (tmp_path / "input" / "clean.py").read_text(encoding="utf-8") == before["clean.py"]
    for name, text in before.items():
        after = (tmp_path / "input" / name).read_text(encoding="utf-8")
        assert ast.dump(ast.parse(after)) == ast.dump(ast.parse(text))
    check = run_mplint("check", "--no-cache", "input", cwd=tmp_path)
    assert check.returncode == 0, check.stdout
    assert check.stdout == "All checks passed!\n"
    again = run_mplint("check", "--no-cache", "--add-noqa", "input", cwd=tmp_path)
    assert again.stderr.strip() == "Added 0 noqa directives."


def test_add_noqa_merges_follows_strings_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    source = (
        "# -*- coding: latin-1 -*-\r\n"
        "import multiprocessing as mp\r\n"
        "def work(): pass\r\n"
        "def go():\r\n"
        "    p = mp.Process(target=work(), name='''é\r\n"
        "''')\r\n"
        "    q = mp.Process(target=work)\r\n"
        "    q.start()\r\n"
        "    q.daemon = True  # noqa: E501 (long)\r\n"
        "    r = mp.Process(target=work)\r\n"
        "    r.start()\r\n"
        "    r.daemon = '# noqa'  # why\r\n"
    )
    path.write_bytes(source.encode("latin-1"))
    path.chmod(0o640)
    result = run_mplint("check", "--no-cache", "--add-noqa", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # the finding on line 5 is silenced where noqa is read for it: after the string that line opens
    assert "no `# noqa" not in result.stderr
    assert "Added 3 noqa directives." in result.stderr
    data = path.read_bytes()
    text = data.decode("latin-1")
    assert text.count("\r\n") == source.count("\r\n") and "\n" not in text.replace("\r\n", "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    lines = text.split("\r\n")
    assert lines[4] == "    p = mp.Process(target=work(), name='''é"
    assert lines[5] == "''')  # noqa: MPL101"
    assert lines[8] == "    q.daemon = True  # noqa: E501, MPL105 (long)"
    assert lines[11] == "    r.daemon = '# noqa'  # why  # noqa: MPL105"
    remaining = run_mplint(
        "check", "--no-cache", "--output-format", "json", str(path), cwd=tmp_path
    )
    assert json.loads(remaining.stdout) == []


def test_add_noqa_refuses_fix_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--add-noqa", "--fix", "."]) == 2
    assert main(["check", "--add-noqa", "-"]) == 2
    assert "--add-noqa" in capsys.readouterr().err


ADD_NOQA_CASES = [
    # (source, line with a diagnostic, expected line afterwards or None when it must be skipped)
    ("x = 1\n", 1, "x = 1  # noqa: MPL105"),
    ("x = 1  # noqa\n", 1, "x = 1  # noqa"),
    ("x = 1  # NOQA:MPL1\n", 1, "x = 1  # NOQA:MPL1"),
    ("x = 1  # noqa: E501\n", 1, "x = 1  # noqa: E501, MPL105"),
    ("x = '# noqa: E501'\n", 1, "x = '# noqa: E501'  # noqa: MPL105"),
    ('x = """a\nb"""\n', 1, None),
    ('x = """a\nb"""\n', 2, 'b"""  # noqa: MPL105'),
    ("x = 1 + \\\n    2\n", 1, None),
    ("x = f'{1}'  # keep\n", 1, "x = f'{1}'  # keep  # noqa: MPL105"),
    ("x = (\n    1,\n)\n", 2, "    1,  # noqa: MPL105"),
    ("s = '''\n# noqa\n'''\n", 2, None),
    ("x = 1\r\ny = 2\r", 2, "y = 2  # noqa: MPL105"),
]


@pytest.mark.parametrize(("source", "line", "expected"), ADD_NOQA_CASES)
def test_add_noqa_cases(source: str, line: int, expected: Optional[str]) -> None:
    result = add_noqa(source, [_diagnostic(line=line)])
    lines = split_lines(result.text)
    if expected is None:
        assert result.text == source
        assert [number for number, _, _ in result.skipped] == [line]
        return
    assert lines[line - 1] == expected
    assert ast.dump(ast.parse(result.text)) == ast.dump(ast.parse(source))
    suppressions = parse_suppressions(result.text)
    assert suppressions.suppresses(_diagnostic(line=line))


def test_add_noqa_codes_never_writes_inside_a_string() -> None:
    assert add_noqa_codes("x = '''start", ["MPL101"]) == "x = '''start"
    assert add_noqa_codes("x = 1 + \\", ["MPL101"]) == "x = 1 + \\"
    assert add_noqa_codes("x = '# noqa'", ["MPL101"]) == "x = '# noqa'  # noqa: MPL101"
    assert add_noqa_codes("x()  # noqa: MPL2", ["MPL101", "MPL201"]) == "x()  # noqa: MPL2, MPL101"
    assert add_noqa_codes("x()", ["MPL201", "MPL101", "MPL101"]) == "x()  # noqa: MPL101, MPL201"
    assert (
        add_noqa_codes("    lines  # noqa", ["MPL101"], comment_start=-1)
        == "    lines  # noqa  # noqa: MPL101"
    )
    assert _comments("x()  # noqa: MPL101\n") == {1: "# noqa: MPL101"}


def test_add_noqa_leaves_files_that_could_not_be_checked() -> None:
    meta = Diagnostic(
        path="a.py",
        code="MPL003",
        name="internal-error",
        message="boom",
        severity=Severity.ERROR,
        line=1,
        column=1,
        end_line=1,
        end_column=1,
    )
    assert add_noqa("x = 1\n", [meta]).text == "x = 1\n"
