"""Running witness scripts: a fresh interpreter in its own process group, killed whole on timeout.

Used by every tests/test_witnesses*.py module: ``run_witness(name, timeout=...)`` runs
``tests/witnesses/<name>`` and returns a :class:`Run`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WITNESS_DIR = Path(__file__).resolve().parent / "witnesses"
#: Upper bound for a script that is not promised to hang (they normally take well under 3 seconds).
TIMEOUT = 20.0


@dataclass(frozen=True)
class Run:
    """The outcome of running one witness script."""

    name: str
    returncode: int | None  # None when the script was killed on its timeout
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float

    def values(self, key: str) -> list[str]:
        """The values of every `key: value` line printed on stdout, in order."""
        prefix = f"{key}: "
        return [line[len(prefix) :] for line in self.stdout.splitlines() if line.startswith(prefix)]

    def value(self, key: str) -> str:
        """The value of the one `key: value` line printed on stdout."""
        found = self.values(key)
        assert len(found) == 1, f"{self.name}: expected one {key!r} line, got {found}\n{self}"
        return found[0]

    def __str__(self) -> str:
        status = "timed out" if self.timed_out else f"returncode {self.returncode}"
        return (
            f"--- {self.name}: {status} after {self.seconds:.2f}s\n"
            f"--- stdout:\n{self.stdout}--- stderr:\n{self.stderr}"
        )


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_witness(name: str, timeout: float = TIMEOUT) -> Run:
    """Run one witness script in a fresh interpreter and its own process group.

    A script still running after ``timeout`` seconds is killed with everything it started
    (``Run.timed_out``): that is how a promised hang is observed.
    """
    env = dict(os.environ)
    env.pop("PYTHONOPTIMIZE", None)  # some promised failures are `assert`s in the stdlib
    # Keep stderr line-buffered: then each process writes whole lines, and the
    # tracebacks of concurrent processes interleave only line by line.
    env.pop("PYTHONUNBUFFERED", None)
    start = time.monotonic()
    with subprocess.Popen(
        [sys.executable, str(WITNESS_DIR / name)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=WITNESS_DIR,
        env=env,
        start_new_session=True,
    ) as proc:
        try:
            try:
                stdout, stderr = proc.communicate(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                _kill_group(proc.pid)
                stdout, stderr = proc.communicate()
                timed_out = True
        finally:
            _kill_group(proc.pid)  # reap anything the script left behind
    return Run(
        name=name,
        returncode=None if timed_out else proc.returncode,
        stdout=stdout,
        stderr=stderr,
        timed_out=timed_out,
        seconds=time.monotonic() - start,
    )
