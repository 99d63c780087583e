"""Never crash, never damage: real code, huge files, links out of the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from mplint.config import Config
from mplint.diagnostics import BUDGET_EXCEEDED, INTERNAL_ERROR
from mplint.engine import lint_source
from mplint.fixes import fix_source

from .conftest import ROOT

STDLIB = Path(sysconfig.get_paths()["stdlib"])
REAL_CODE = sorted(
    [
        *(STDLIB / "multiprocessing").glob("*.py"),
        *(STDLIB / "concurrent" / "futures").glob("*.py"),
    ]
)


@pytest.mark.parametrize("path", REAL_CODE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_standard_library_no_internal_errors_and_sound_fixes(path: Path) -> None:
    """No rule crashes on the stdlib's own multiprocessing code, and unsafe fixes keep it compiling,
    touching only lines that had a diagnostic."""
    text = path.read_text(encoding="utf-8")
    config = Config(preview=True)
    found = lint_source(str(path), text, config, raise_errors=True)
    assert not [d for d in found if d.code == INTERNAL_ERROR]
    result = fix_source(str(path), text, config, unsafe=True)
    assert result.error is None, result.error
    if result.changed:
        compile(result.text, str(path), "exec")
        flagged = set()
        for d in result.applied:
            flagged.update(range(d.line - 1, d.end_line + 2))  # insertions land next to the line
        before = text.splitlines()
        import difflib

        matcher = difflib.SequenceMatcher(a=before, b=result.text.splitlines(), autojunk=False)
        for tag, i1, i2, _, _ in matcher.get_opcodes():
            if tag != "equal":
                touched = set(range(i1, max(i2, i1 + 1)))
                assert touched & flagged, f"lines {i1 + 1}-{i2} changed without a diagnostic"


def test_huge_file_is_reported_not_parsed() -> None:
    text = "import multiprocessing\n" + "x = 1\n" * (Config().max_file_bytes // 6 + 10)
    [diagnostic] = lint_source("huge.py", text, Config())
    assert diagnostic.code == BUDGET_EXCEEDED
    assert diagnostic.message == (
        f"not checked: {len(text):,} bytes is over the limit of 10,000,000 (raise `max-file-bytes` "
        "in [tool.mplint] or pass `--max-file-bytes`; 0 turns the limit off)"
    )


def test_empty_file() -> None:
    assert lint_source("empty.py", "", Config()) == []


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_fix_does_not_write_through_a_link_out_of_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    project = tmp_path / "project"
    outside.mkdir()
    project.mkdir()
    target = outside / "shared.py"
    source = (ROOT / "tests" / "fixtures" / "MPL105.py").read_text(encoding="utf-8")
    target.write_text(source)
    (project / "linked.py").symlink_to(target)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mplint", "check", "--fix", "--select", "MPL105", "."],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert target.read_text() == source, "a file outside the project was rewritten"
    assert "not written through" in result.stdout
    shutil.rmtree(project)
