"""Cache, worker processes and prefilter never change a result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mplint.cache import Cache, clean
from mplint.config import Config
from mplint.files import discover
from mplint.runner import Options, check_files

from .conftest import FIXTURES, ROOT


def _corpus(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    target.mkdir()
    # a dozen files of every kind are enough; the whole fixture set would only cost time
    for path in sorted(FIXTURES.glob("*.py"))[::6]:
        shutil.copy(path, target / path.name)
    (target / "plain.py").write_text("import os\nprint(os.getcwd())\n")
    return target


def _flat(results: list[object]) -> list[tuple[str, int, int, str, str]]:
    out = []
    for result in results:
        for d in result.diagnostics:  # type: ignore[attr-defined]
            out.append((d.path, d.line, d.column, d.code, d.message))
    return sorted(out)


def test_cache_and_jobs_do_not_change_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _corpus(tmp_path)
    config = Config(preview=True)
    candidates = list(discover([str(corpus)], lambda path: config))
    serial = _flat(check_files(candidates, lambda path: config, Options(), jobs=1))
    assert serial, "the fixtures produce findings"
    import mplint.runner

    with monkeypatch.context() as patch:
        patch.setattr(
            mplint.runner, "PARALLEL_MIN_BYTES", 0
        )  # the worker pool even for a small run
        parallel = _flat(check_files(candidates, lambda path: config, Options(), jobs=2))
    assert parallel == serial
    cache = Cache(str(tmp_path / "cache"))
    cold = _flat(check_files(candidates, lambda path: config, Options(), jobs=1, cache=cache))
    assert (tmp_path / "cache" / ".gitignore").read_text().strip().endswith("*")
    warm = _flat(check_files(candidates, lambda path: config, Options(), jobs=1, cache=cache))
    assert cold == serial and warm == serial
    # a changed setting misses the cache
    other = Config(preview=True, ignore=("MPL105",))
    changed = _flat(check_files(candidates, lambda path: other, Options(), jobs=1, cache=cache))
    assert changed == [d for d in serial if d[3] != "MPL105"]
    assert clean(str(tmp_path / "cache")) and not (tmp_path / "cache").exists()


def test_cli_warm_run_uses_the_cache(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "mplint", "check", "--preview", "--output-format", "json", "."]
    first = subprocess.run(
        command, cwd=corpus, env=env, capture_output=True, text=True, check=False
    )
    assert (corpus / ".mplint_cache").is_dir()
    second = subprocess.run(
        command, cwd=corpus, env=env, capture_output=True, text=True, check=False
    )
    assert json.loads(first.stdout) == json.loads(second.stdout)
    uncached = subprocess.run(
        [*command, "--no-cache"], cwd=corpus, env=env, capture_output=True, text=True, check=False
    )
    assert json.loads(uncached.stdout) == json.loads(first.stdout)
