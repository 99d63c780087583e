"""The progress bar: on a terminal, for runs that take a while; never on a pipe or with ``--quiet``."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from mplint.progress import Progress, wanted

from .cli_support import BUGGY
from .conftest import ROOT


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_drawn_before_the_delay_then_the_bar_and_its_erasure() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, delay=2.0, interval=3600, clock=clock)
    progress.start(4)
    progress.advance()
    clock.now += 1.9
    progress.advance()
    assert stream.getvalue() == ""
    clock.now += 65.2  # 67.1 s since the start
    progress.advance()
    assert stream.getvalue() == "\rmplint: [##################......] 3/4 files, 1:07\x1b[K"
    progress.close()
    assert stream.getvalue().endswith("\x1b[K\r\x1b[K")
    progress.advance()  # after close: nothing more
    assert stream.getvalue().endswith("\x1b[K\r\x1b[K")


def test_a_short_run_leaves_nothing() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, delay=2.0, interval=3600, clock=clock)
    progress.start(1)
    progress.advance()
    progress.close()
    assert stream.getvalue() == ""


def test_the_bar_moves_while_one_long_file_is_linted() -> None:
    stream = Terminal()
    progress = Progress(stream, delay=0.0, interval=0.01)
    progress.start(1)
    for _ in range(500):
        if "0/1 file, 0:00" in stream.getvalue():
            break
        select.select([], [], [], 0.01)
    progress.close()
    assert "\rmplint: [........................] 0/1 file, 0:00\x1b[K" in stream.getvalue()


def test_wanted_only_on_a_terminal_and_not_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    assert wanted(Terminal(), quiet=False)
    assert not wanted(Terminal(), quiet=True)
    assert not wanted(io.StringIO(), quiet=False)
    monkeypatch.setenv("TERM", "dumb")
    assert not wanted(Terminal(), quiet=False)


def _run_on_a_pty(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run mplint with standard error on a pseudo-terminal; its exit status, stdout and what the
    terminal received."""
    import pty

    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLINT_PROGRESS_DELAY": "0", "TERM": "xterm"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mplint", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    received = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        received += chunk
    os.close(controller)
    out, _ = process.communicate(timeout=300)
    return process.returncode, out.decode(), received.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pseudo-terminal")
def test_cli_draws_on_a_terminal_and_erases_before_the_report(tmp_path: Path) -> None:
    for number in range(3):
        (tmp_path / f"bug{number}.py").write_text(BUGGY)
    status, out, terminal = _run_on_a_pty(["check", "--no-cache", "--jobs", "1"], tmp_path)
    assert status == 1
    assert "bug0.py:9:5: MPL105" in out
    assert "mplint: [" in terminal and "/3 files, 0:0" in terminal
    assert terminal.endswith("\r\x1b[K")  # erased: the terminal is left as it was
    status, out, terminal = _run_on_a_pty(["check", "--no-cache", "--quiet"], tmp_path)
    assert status == 1 and "bug0.py:9:5: MPL105" in out
    assert terminal == ""


def test_cli_draws_nothing_on_a_pipe(tmp_path: Path) -> None:
    (tmp_path / "bug.py").write_text(BUGGY)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLINT_PROGRESS_DELAY": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "mplint", "check", "--no-cache", "bug.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1
    assert result.stderr == ""
