"""What the command-line tests share: a small buggy module and a way to run ``mplint`` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Optional

from .conftest import ROOT

# MPL105 (safe fix) and MPL201 (a start at import time).
BUGGY = textwrap.dedent(
    """\
    import multiprocessing as mp

    def work():
        pass

    def main():
        p = mp.Process(target=work)
        p.start()
        p.daemon = True
    """
)


def mplint(*args: str, cwd: Path, stdin: Optional[str] = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "mplint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        check=False,
        timeout=300,
    )
