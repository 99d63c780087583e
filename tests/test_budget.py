"""The per-file budget (MPL005): a file over its size, or whose check runs out of time, is reported as
not checked, naming the limit and how to raise it; the other files are checked; the run never hangs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from benchmarks.synthetic import module_of
from mplint.codes import META
from mplint.config import Config
from mplint.diagnostics import BUDGET_EXCEEDED, Severity
from mplint.engine import lint_source
from mplint.runner import OverBudget, time_limit

from .cli_support import BUGGY, mplint

RAISE = "(raise `{key}` in [tool.mplint] or pass `--{key}`; 0 turns the limit off)"


def _project(tmp_path: Path, settings: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.mplint]\n{settings}")
    (tmp_path / "bug.py").write_text(BUGGY)
    (tmp_path / "big.py").write_text(BUGGY + "\n" + "x = 1\n" * 20)
    return tmp_path


def _found(result_stdout: str) -> list[tuple[str, int, int, str, str]]:
    return sorted(
        (
            Path(d["filename"]).name,
            d["location"]["row"],
            d["location"]["column"],
            d["code"],
            d["message"],
        )
        for d in json.loads(result_stdout)
    )


def test_budget_is_a_meta_code() -> None:
    assert (BUDGET_EXCEEDED, "budget-exceeded") in {(m.code, m.name) for m in META}


def test_defaults() -> None:
    config = Config()
    assert (config.max_file_bytes, config.max_file_lines, config.file_time_limit) == (
        10_000_000,
        100_000,
        60.0,
    )


def test_line_limit_through_the_cli_names_the_limit_and_checks_the_other_files(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    result = mplint("check", "--no-cache", "--max-file-lines", "20", cwd=project)
    assert "big.py:1:1: MPL005 not checked: 30 lines is over the limit of 20 " in result.stdout
    assert RAISE.format(key="max-file-lines") in result.stdout
    assert "bug.py:9:5: MPL105" in result.stdout
    assert result.returncode == 1
    found = _found(
        mplint(
            "check",
            "--no-cache",
            "--max-file-lines",
            "20",
            "-q",
            "--output-format",
            "json",
            cwd=project,
        ).stdout
    )
    assert [f[:4] for f in found] == [
        ("big.py", 1, 1, "MPL005"),
        ("bug.py", 9, 5, "MPL105"),
    ]
    # counted like a finding: --exit-zero gives 0, not the 2 of mplint's own errors
    assert (
        mplint(
            "check", "--no-cache", "--max-file-lines", "20", "--exit-zero", cwd=project
        ).returncode
        == 0
    )


def test_limits_from_the_settings_file_and_raised_on_the_command_line(tmp_path: Path) -> None:
    project = _project(tmp_path, "max-file-lines = 20\nmax-file-bytes = 1000\n")
    found = _found(mplint("check", "--no-cache", "--output-format", "json", cwd=project).stdout)
    assert (
        "big.py",
        1,
        1,
        "MPL005",
        "not checked: 30 lines is over the limit of 20 " + RAISE.format(key="max-file-lines"),
    ) in found
    raised = _found(
        mplint(
            "check", "--no-cache", "--max-file-lines", "0", "--output-format", "json", cwd=project
        ).stdout
    )
    assert [f[:4] for f in raised if f[0] == "big.py"] == [
        ("big.py", 9, 5, "MPL105"),
    ]
    smaller = _found(
        mplint(
            "check",
            "--no-cache",
            "--max-file-lines",
            "0",
            "--max-file-bytes",
            "100",
            "--output-format",
            "json",
            cwd=project,
        ).stdout
    )
    size = len((project / "big.py").read_bytes())
    assert (
        "big.py",
        1,
        1,
        "MPL005",
        f"not checked: {size} bytes is over the limit of 100 " + RAISE.format(key="max-file-bytes"),
    ) in smaller


def test_bytes_are_counted_in_utf8() -> None:
    text = "import multiprocessing\ns = '" + "é" * 60 + "'\n"
    config = Config(max_file_bytes=100)
    assert len(text) < 100 < len(text.encode("utf-8"))
    [found] = lint_source("x.py", text, config)
    assert (found.code, found.severity, found.line, found.column) == (
        BUDGET_EXCEEDED,
        Severity.WARNING,
        1,
        1,
    )
    assert found.message.startswith(
        f"not checked: {len(text.encode())} bytes is over the limit of 100 "
    )


def test_a_file_exactly_at_the_limits_is_checked() -> None:
    text = BUGGY
    lines = text.count("\n")
    config = Config(max_file_bytes=len(text.encode()), max_file_lines=lines)
    assert [d.code for d in lint_source("bug.py", text, config)] == ["MPL105"]
    over = Config(max_file_lines=lines - 1)
    assert [d.code for d in lint_source("bug.py", text, over)] == [BUDGET_EXCEEDED]


def test_time_limit_abandons_a_slow_file_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "bug.py").write_text(BUGGY)
    (tmp_path / "slow.py").write_text(module_of(6000))  # several seconds to check
    start = time.monotonic()
    result = mplint(
        "check",
        "--no-cache",
        "--jobs",
        "1",
        "--file-time-limit",
        "1",
        "-q",
        "--output-format",
        "json",
        cwd=tmp_path,
    )
    took = time.monotonic() - start
    found = _found(result.stdout)
    assert [f for f in found if f[0] == "slow.py"] == [
        (
            "slow.py",
            1,
            1,
            "MPL005",
            "not checked: its check was abandoned after 1 s, the time limit "
            + RAISE.format(key="file-time-limit"),
        ),
    ]
    assert [f[:4] for f in found if f[0] == "bug.py"] == [
        ("bug.py", 9, 5, "MPL105"),
    ]
    assert result.returncode == 1
    assert took < 30, took


def test_time_limit_interrupts_python_code() -> None:
    import signal

    if not hasattr(signal, "setitimer"):
        pytest.skip("no interval timers")
    outer = signal.setitimer(signal.ITIMER_REAL, 0)  # a test runner's own timeout, put back below
    try:
        start = time.monotonic()
        with pytest.raises(OverBudget), time_limit(0.2):
            while time.monotonic() - start < 20:
                pass
        assert time.monotonic() - start < 5
        assert signal.getitimer(signal.ITIMER_REAL)[0] == 0  # disarmed on the way out
        with time_limit(0):  # no limit: nothing is armed
            assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
    finally:
        if outer[0] > 0:
            signal.setitimer(signal.ITIMER_REAL, *outer)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "max-file-lines = -1",
            "'tool.mplint.max-file-lines' must be a whole number, 0 or more (0: no limit), not -1",
        ),
        (
            "max-file-bytes = 1.5",
            "'tool.mplint.max-file-bytes' must be a whole number, 0 or more (0: no limit), not 1.5",
        ),
        (
            'file-time-limit = "60"',
            "'tool.mplint.file-time-limit' must be a number of seconds, 0 or "
            "more (0: no limit), not '60'",
        ),
        (
            "file-time-limit = true",
            "'tool.mplint.file-time-limit' must be a number of seconds, 0 or "
            "more (0: no limit), not True",
        ),
    ],
)
def test_bad_limits_are_errors_naming_the_key(tmp_path: Path, setting: str, message: str) -> None:
    project = _project(tmp_path, setting + "\n")
    result = mplint("check", "--no-cache", cwd=project)
    assert result.returncode == 2
    assert message in result.stderr


def test_bad_limit_on_the_command_line(tmp_path: Path) -> None:
    result = mplint("check", "--no-cache", "--max-file-lines", "many", cwd=_project(tmp_path))
    assert result.returncode == 2
    assert (
        "--max-file-lines: expected a whole number, 0 or more (0: no limit), not 'many'"
        in result.stderr
    )


def test_rule_explains_the_budget(tmp_path: Path) -> None:
    result = mplint("rule", "MPL005", cwd=tmp_path)
    assert result.returncode == 0
    assert "# MPL005 `budget-exceeded`" in result.stdout
    assert "file-time-limit" in result.stdout and "Not a rule" in result.stdout


def test_a_timer_already_running_is_left_alone() -> None:
    signal = pytest.importorskip("signal")
    if not hasattr(signal, "setitimer"):
        pytest.skip("no interval timers")
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with time_limit(0.05):  # not armed: the caller's timer keeps running
            time.sleep(0.1)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0 < remaining <= 0.2
        time.sleep(0.5)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_show_settings_lists_the_budget(tmp_path: Path) -> None:
    project = _project(tmp_path, "max-file-lines = 20\n")
    result = mplint("check", "--show-settings", "--file-time-limit", "2.5", "bug.py", cwd=project)
    assert result.returncode == 0
    assert (
        "max-file-bytes = 10000000\nmax-file-lines = 20\nfile-time-limit = 2.5\n" in result.stdout
    )
