"""Runtime witnesses: each rule's promised failure, shown by running a real program.

Every file in tests/witnesses/ is a standalone script: ``<CODE>_bad*.py`` holds exactly one instance
of the misuse rule CODE reports, ``<CODE>_good*.py`` is the same program fixed. Each script's header
says what running it must show (the grammar is in tests/witness_support.py). The tests below check,
for every script: that its header is well formed, that running it in a fresh interpreter shows what
the header says, and that the linter reports its rule on a bad script and not on a good one.

The few checks that the header grammar cannot say (two printed values compared, a timing measured by
the script) are in the family modules tests/test_witnesses_*.py, on the same runs.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator

import pytest

from mplint.config import Config
from mplint.engine import lint_source

from .witness_support import (
    HEADER_MARK,
    NAME,
    WITNESS_DIR,
    HeaderError,
    Outcome,
    Run,
    Runs,
    parse_header,
    parse_statement,
    read_header,
    session_runs,
    witness_names,
)

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX signals and process groups", allow_module_level=True)

WITNESSES = witness_names()


@pytest.fixture(scope="session")
def runs(request: pytest.FixtureRequest) -> Iterator[Runs]:
    yield from session_runs(request.session)


# --- the scripts and their headers -------------------------------------------------------------


def test_every_file_is_a_witness_and_every_rule_has_both_kinds() -> None:
    assert len(WITNESSES) >= 172  # the glob finds them: an empty list would parametrize nothing
    assert [name for name in WITNESSES if not NAME.fullmatch(name)] == []
    codes = {name.split("_", 1)[0] for name in WITNESSES}
    for code in sorted(codes):
        assert f"{code}_bad.py" in WITNESSES, code
        assert f"{code}_good.py" in WITNESSES, code


@pytest.mark.parametrize("witness", WITNESSES)
def test_header_is_well_formed(witness: str) -> None:
    text = (WITNESS_DIR / witness).read_text(encoding="utf-8")
    expected = read_header(witness)  # raises HeaderError on a missing or malformed header
    docstring = ast.get_docstring(ast.parse(text, filename=witness))
    assert docstring is not None, f"{witness}: a docstring must follow the header"
    assert docstring.startswith(f"{expected.code} "), f"{witness}: the docstring names its rule"
    after_header = next(line for line in text.splitlines() if not line.startswith(HEADER_MARK))
    assert after_header.startswith(f'"""{expected.code} '), f"{witness}: the docstring comes next"


@pytest.mark.parametrize("witness", WITNESSES)
def test_witness_runs_as_its_header_says(runs: Runs, witness: str) -> None:
    run = runs[witness]
    failed = read_header(witness).failures(run)
    assert failed == [], f"{witness}: not borne out: {failed}\n{run}"


@pytest.mark.parametrize("witness", WITNESSES)
def test_linter_reports_the_rule_on_bad_and_not_on_good(witness: str) -> None:
    expected = read_header(witness)
    path = WITNESS_DIR / witness
    config = Config(select=(expected.code,), preview=True)
    checked = path.with_suffix(".ipynb") if expected.notebook else path
    found = lint_source(str(checked), path.read_text(encoding="utf-8"), config, raise_errors=True)
    wanted = [expected.code] * expected.reports if expected.bad else []
    assert [d.code for d in found] == wanted, f"{witness}: {found}"


# --- the header grammar itself -------------------------------------------------------------------

SCRIPT = '"""MPL101 a script."""\nprint("result: 42")\n'


def _run(stdout: str = "", stderr: str = "", returncode: int | None = 0) -> Run:
    return Run("MPL101_bad.py", returncode, stdout, stderr, returncode is None, 0.5)


def _header(*statements: str) -> str:
    return "".join(f"# witness: {statement}\n" for statement in statements) + SCRIPT


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("MPL101_bad.py", SCRIPT, "no header"),
        ("MPL101_bad.py", "\n" + _header("exits 0"), "no header"),
        ("MPL101_bad.py", _header("exits 0") + "# witness: exits 1\n", "outside the header"),
        ("MPL101_bad.py", _header("exits 0") + "#  Witness: exits 1\n", "outside the header"),
        ("MPL101_bad.py", _header('prints "result: 42"'), "0 outcomes"),
        ("MPL101_bad.py", _header("exits 0", "exits 1"), "2 outcomes"),
        ("MPL101_bad.py", _header("exits 0", "prints result"), "not a witness statement"),
        ("MPL101_bad.py", _header("exits 0", 'prints "result: 42'), "unbalanced quotes"),
        ("MPL101_bad.py", _header("exit 0"), "not a witness statement"),
        ("MPL101_bad.py", _header("dies"), "not a witness statement"),
        ("MPL101_bad.py", _header("exits 0", "start-method fork vfork"), "not a witness"),
        ("MPL101_bad.py", _header("exits 0", 'stderr matches "("'), "not a regular expression"),
        ("MPL101_bad.py", _header("hangs"), "corroborated"),
        ("MPL101_bad.py", _header("hangs", 'no value "result"', "stderr empty"), "corroborated"),
        ("MPL101_good.py", _header("exits 1"), "a good script runs clean or exits 0"),
        ("MPL101_good.py", _header('dies "X"'), "a good script runs clean or exits 0"),
        ("MPL101_good.py", _header("runs clean", "reported 2 times"), "for bad scripts"),
        ("MPL101_worse.py", _header("runs clean"), "not a witness name"),
    ],
)
def test_malformed_headers_are_refused(name: str, text: str, message: str) -> None:
    with pytest.raises(HeaderError, match=message):
        parse_header(name, text)


def test_header_reads_outcome_conditions_and_checks() -> None:
    expected = parse_header(
        "MPL101_bad.py",
        _header('hangs after "started"', "start-method fork spawn", "reported 2 times"),
    )
    assert expected.outcome is Outcome.HANGS
    assert expected.start_methods == ("fork", "spawn")
    assert expected.reports == 2
    assert [check.text for check in expected.checks] == ['hangs after "started"']
    assert expected.timeout < parse_header("MPL101_bad.py", _header("exits 0")).timeout


@pytest.mark.parametrize(
    ("statement", "holds", "fails"),
    [
        ("runs clean", _run("ok\n"), _run(stderr="DeprecationWarning: x\n")),
        ("exits 1", _run(returncode=1), _run(returncode=None)),
        (
            'dies "E: x"',
            _run(stderr="T\nE: x\n", returncode=1),
            _run(stderr="E: x y\n", returncode=1),
        ),
        ('dies "E: a" or "E: b"', _run(stderr="E: b\n", returncode=1), _run(stderr="E: b\n")),
        ("hangs", _run(returncode=None), _run()),
        ('hangs after "up"', _run("up\n", returncode=None), _run("up and\n", returncode=None)),
        ('prints "a: 1"', _run("b: 2\na: 1\n"), _run("a: 12\n")),
        ('prints exactly "a" "b"', _run("a\nb\n"), _run("a\nb\nc\n")),
        ("prints nothing", _run(), _run("\n")),
        ('never prints "done"', _run("a\n"), _run("undone\n")),
        ('value "n" = "1"', _run("n: 1\nm: 2\n"), _run("n: 1\nn: 1\n")),
        ('values "n" = "1" "2"', _run("n: 1\nx\nn: 2\n"), _run("n: 2\nn: 1\n")),
        ('no value "n"', _run("n:1\nm: n: 1\n"), _run("n: \n")),
        ('stderr has "E"', _run(stderr="x\nE\n"), _run(stderr="E2\n")),
        ('stderr contains "rror: x"', _run(stderr="Error: xy\n"), _run(stderr="Error:  x\n")),
        ('stderr repeats "boom"', _run(stderr="boom\nboom\n"), _run(stderr="boom\n")),
        ('stderr lacks "Traceback"', _run(stderr="E\n"), _run(stderr="Traceback\n")),
        (
            'stderr matches "E: 0x[0-9a-f]+ gone"',
            _run(stderr="x\nE: 0x1f gone\n"),
            _run(stderr="E: 0x1f gone!\n"),  # the whole line must match
        ),
        ("stderr empty", _run(), _run(stderr="\n")),
        ("within 1 second", _run(), Run("MPL101_bad.py", 0, "", "", False, 1.0)),
    ],
)
def test_each_statement_holds_or_fails(statement: str, holds: Run, fails: Run) -> None:
    check = parse_statement(statement).check
    assert check is not None
    assert check.text == statement
    assert check.holds(holds)
    assert not check.holds(fails)


def test_failures_are_the_statements_a_run_does_not_bear_out() -> None:
    expected = parse_header(
        "MPL101_bad.py", _header('dies "E: x"', 'prints "a: 1"', 'no value "b"', "stderr empty")
    )
    assert expected.failures(_run("a: 1\n", "E: x\n", returncode=1)) == ["stderr empty"]
    assert expected.failures(_run("b: 2\n", returncode=0)) == [
        'dies "E: x"',
        'prints "a: 1"',
        'no value "b"',
    ]
    assert expected.failures(_run("a: 1\n", returncode=1)) == ['dies "E: x"']


@pytest.mark.parametrize("statement", ["start-method spawn", "reported 2 times"])
def test_conditions_are_not_checks_on_the_run(statement: str) -> None:
    assert parse_statement(statement).check is None
