"""Every front door agrees on multi-module projects (``tests/fixtures/projects/``).

For each project, copied to a temporary directory with ``[tool.mplint] preview = true`` in its
``pyproject.toml`` (so that every front door reads the same settings from the same place), the findings
are the same for: ``mplint check`` of the whole tree, of each file alone, of the tree with ``--jobs 2``;
the pre-commit hook's command (read from ``.pre-commit-hooks.yaml``) given one changed file at a time;
flake8 (one process, and two); and a warm run from the results cache after an imported module changed.
The language server's side is ``tests/test_server_project.py``; pre-commit itself, run by the real
``pre-commit``, is in ``tests/test_precommit.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mplint import runner
from mplint.cache import Cache
from mplint.cli import main
from mplint.config import Resolver
from mplint.diagnostics import Diagnostic
from mplint.files import Candidate
from mplint.runner import Options, check_files

from .conftest import FIXTURES, ROOT, expected_errors

PROJECTS = FIXTURES / "projects"
NAMES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir())

#: (path, line, column, end line, end column, code, message)
Finding = tuple[str, int, int, int, int, str, str]


def copy_project(name: str, destination: Path) -> Path:
    """The project ``name`` under ``destination``, its ``pyproject.toml`` turning preview on."""
    root = destination / name
    shutil.copytree(PROJECTS / name, root)
    with open(root / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[tool.mplint]\npreview = true\n")
    return root


def python_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


def marked(root: Path) -> set[tuple[str, int, str]]:
    """(file, line, code) of every ``# error: CODE`` line of the project."""
    return {
        (file, line, code)
        for file in python_files(root)
        for line, code in expected_errors((root / file).read_text(encoding="utf-8"), file)
    }


def mplint_check(*args: str) -> set[Finding]:
    """``mplint check --output-format json ARGS`` in this process (the working directory is the
    project's root)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check", "--output-format", "json", *args])
    assert status in (0, 1), out.getvalue()
    return {_from_json(item) for item in json.loads(out.getvalue())}


def _from_json(item: dict[str, Any]) -> Finding:
    return (
        Path(os.path.relpath(item["filename"])).as_posix(),
        item["location"]["row"],
        item["location"]["column"],
        item["end_location"]["row"],
        item["end_location"]["column"],
        item["code"],
        item["message"],
    )


def hook_command(hook: str) -> list[str]:
    """The options of the ``entry`` of ``hook`` in ``.pre-commit-hooks.yaml``, after ``mplint check``."""
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (entry,) = [h["entry"] for h in hooks if h["id"] == hook]
    words = shlex.split(entry)
    assert words[:2] == ["mplint", "check"]
    return words[2:]


def flake8(root: Path, files: list[str], jobs: int) -> set[tuple[str, int, int, str, str]]:
    """(path, line, column, code, message) of what flake8 reports with ``--select MPL``."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "MPL", "--jobs", str(jobs), *files],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    found = set()
    for line in result.stdout.splitlines():
        match = re.match(r"(.+?):(\d+):(\d+): (MPL\d+) (.*)$", line)
        assert match is not None, line
        path, row, column, code, message = match.groups()
        message = re.sub(r" \((fix available|unsafe fix): .*\)$", "", message)
        found.add((Path(os.path.normpath(path)).as_posix(), int(row), int(column), code, message))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_front_door_agrees(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(name, tmp_path)
    monkeypatch.chdir(root)
    files = python_files(root)

    whole = mplint_check("--no-cache", ".")
    assert {(path, line, code) for path, line, _, _, _, code, _ in whole} == marked(root)
    alone: set[Finding] = set()
    for file in files:
        alone |= mplint_check("--no-cache", file)
    assert alone == whole

    hook = hook_command("mplint")
    committed: set[Finding] = set()
    for file in files:  # pre-commit passes only the changed files: one at a time, the worst case
        committed |= mplint_check(*hook, "--no-cache", file)
    assert committed == whole

    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(runner, "PARALLEL_MIN_FILES", 1)
    assert mplint_check("--no-cache", "--jobs", "2", ".") == whole

    # flake8 reports the start column and the message (without the related locations)
    short = {
        (path, line, column, code, message) for path, line, column, _, _, code, message in whole
    }
    assert flake8(root, files, 1) == short
    assert flake8(root, files[:1], 1) == {f for f in short if f[0] == files[0]}
    assert flake8(root, files, 2) == short


def _results(root: Path, paths: list[str], cache: Cache) -> dict[str, list[Diagnostic]]:
    resolver = Resolver()
    results = check_files(
        [Candidate(p, True) for p in paths],
        resolver.config_for,
        Options(),
        jobs=1,
        cache=cache,
    )
    return {r.path: r.diagnostics for r in results}


def _fresh(root: Path, paths: list[str], tmp_path: Path) -> dict[str, list[Diagnostic]]:
    directory = tmp_path / "fresh-cache"
    shutil.rmtree(directory, ignore_errors=True)
    return _results(root, paths, Cache(str(directory)))


@pytest.mark.parametrize("name", NAMES)
def test_a_warm_run_after_an_imported_module_changed(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each module other files consulted is changed in turn (two lines pushed down, and its text made
    newer): a warm run from the results cache gives exactly what a run without it gives, related
    locations included, for the whole tree and for each dependent alone."""
    root = copy_project(name, tmp_path)
    monkeypatch.chdir(root)
    files = python_files(root)
    cache = Cache(str(root / ".mplint_cache"))
    cold = _results(root, files, cache)
    assert _results(root, files, cache) == cold == _fresh(root, files, tmp_path)
    consulted = sorted(
        {os.path.relpath(r.path) for ds in cold.values() for d in ds for r in d.related}
    )
    assert consulted, "no finding of this project comes from another module"
    for number, module in enumerate(consulted):
        path = root / module
        text = path.read_text(encoding="utf-8")
        path.write_text(f"# changed {number}\n\n{text}", encoding="utf-8")
        stamp = path.stat().st_mtime_ns + 1_000_000_000 * (number + 1)
        os.utime(path, ns=(stamp, stamp))
        warm = _results(root, files, cache)
        assert warm == _fresh(root, files, tmp_path)
        moved = [
            r
            for ds in warm.values()
            for d in ds
            for r in d.related
            if os.path.relpath(r.path) == module
        ]
        assert moved and all(r.line > 2 for r in moved)
        for file in files:
            assert _results(root, [file], cache) == _fresh(root, [file], tmp_path)


def test_a_given_text_wins_over_the_file(tmp_path: Path) -> None:
    """``Project.use_texts`` (an editor's unsaved buffer): the module is summarised from the given
    text, each new text anew, and from its file again once no text is given for it."""
    from mplint.config import Config
    from mplint.engine import lint_source
    from mplint.project import Project

    (tmp_path / "pyproject.toml").write_text("")
    tasks = tmp_path / "tasks.py"
    tasks.write_text("def work(x):\n    return x\n")
    main = "from multiprocessing import Pool\nfrom tasks import work\n\n\ndef go():\n"
    main += "    with Pool(2) as pool:\n        pool.map(work, [1])\n"
    project = Project(str(tmp_path))
    path = str(tmp_path / "main.py")

    def found() -> list[tuple[str, int, int]]:
        project.forget(path)
        return [
            (d.code, d.line, d.column) for d in lint_source(path, main, Config(), project=project)
        ]

    assert found() == []
    project.use_texts({str(tasks): "import os\n\n\ndef work(x):\n    os._exit(x)\n"})
    assert found() == [("MPL309", 7, 18)]
    (dependency,) = project.dependencies(path)
    assert dependency.path == str(tasks) and dependency.size == -1
    project.use_texts({str(tasks): "def work(x):\n    return x\n"})
    assert found() == []
    project.use_texts({})
    assert found() == []
    assert project.dependencies(path)[0].size == tasks.stat().st_size


def test_flake8_reads_the_summaries_mplint_check_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once ``mplint check`` has made the project's cache, the flake8 plugin takes the imported modules'
    summaries from it instead of computing them; without that cache it computes them and creates no
    cache directory."""
    import mplint.project
    from mplint.flake8_plugin import MplintChecker

    root = copy_project("three", tmp_path)
    monkeypatch.chdir(root)
    lines = (root / "main.py").read_text(encoding="utf-8").splitlines(keepends=True)

    def plugin() -> set[tuple[int, int, str]]:
        monkeypatch.setattr(mplint.project, "_PROJECTS", {})  # a new flake8 process
        found = MplintChecker(None, lines, "main.py").run()
        return {(line, column, message.split()[0]) for line, column, message, _ in found}

    expected = {(7, 8, "MPL201"), (12, 17, "MPL309"), (13, 8, "MPL310")}
    assert plugin() == expected
    assert not (root / ".mplint_cache").exists()
    mplint_check(".")  # with its cache
    assert list((root / ".mplint_cache" / "summaries").rglob("*.json"))
    monkeypatch.setattr("mplint.project.summarize.summarize_text", _refuse)
    assert plugin() == expected


def _refuse(*args: object) -> None:
    raise AssertionError("the summary should come from the cache")
