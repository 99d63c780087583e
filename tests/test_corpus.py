"""Real code, end to end through the CLI: the whole standard library of the running Python and the
multiprocessing-heavy packages installed with the test extra (joblib, loky, billiard, multiprocess, pebble,
mpire). Their files are read as text, never imported.

Promised: no crash and no internal error (MPL003) on any file; a file reported as unparsable (MPL001) or
unreadable (MPL002) is one CPython itself refuses to compile; ``--fix --unsafe-fixes`` on a copy leaves every
fixed file compiling, changes only lines next to a fixable diagnostic, leaves files without fixable findings
byte for byte as they were, and a second ``--fix`` run changes nothing.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from .conftest import ROOT

PACKAGES = ("joblib", "loky", "billiard", "multiprocess", "pebble", "mpire")
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SETTINGS = 'exclude = ["__pycache__"]\n'


def _package_dirs() -> Iterator[Path]:
    for name in PACKAGES:
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        top = (distribution.read_text("top_level.txt") or name).split()
        for module in top:
            located = Path(str(distribution.locate_file(module)))
            if located.is_dir():
                yield located
            elif located.with_suffix(".py").is_file():
                yield located.with_suffix(".py")


def _stdlib_entries() -> Iterator[Path]:
    # The standard library only: third-party installs below it are not part of it.
    for entry in sorted(STDLIB.iterdir()):
        if entry.name not in ("site-packages", "dist-packages"):
            yield entry


CORPUS = [*_stdlib_entries(), *_package_dirs()]


def _mplint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mplint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=900,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )


def _check(paths: list[Path], cwd: Path, *extra: str) -> list[dict[str, Any]]:
    config = cwd / "mplint.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    result = _mplint(
        "check",
        "--no-cache",
        "--preview",
        "--exit-zero",
        "--no-respect-gitignore",
        "--config",
        str(config),
        "--output-format",
        "json",
        *extra,
        *map(str, paths),
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def _cpython_refuses(path: Path) -> bool:
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError):
        return True
    return False


def test_corpus_packages_are_installed() -> None:
    """The test extra installs the packages; their absence would quietly shrink the corpus."""
    packages = [path for path in CORPUS if STDLIB not in path.parents]
    assert len(packages) >= len(PACKAGES), packages


def _no_internal_errors(corpus_findings: list[dict[str, Any]]) -> None:
    internal = [f for f in corpus_findings if f["code"] == "MPL003"]
    assert not internal, internal[:5]
    # The run really linted both parts: the standard library's test/mp_fork_bomb.py (and multiprocess's copy of
    # it) start a process at import time on purpose.
    places = {
        "stdlib" if str(STDLIB) in f["filename"] else "package"
        for f in corpus_findings
        if f["code"] == "MPL201"
    }
    assert places == {"stdlib", "package"}


def _unparsable_only_where_cpython_agrees(corpus_findings: list[dict[str, Any]]) -> None:
    refused = {f["filename"] for f in corpus_findings if f["code"] in ("MPL001", "MPL002")}
    wrong = [name for name in sorted(refused) if not _cpython_refuses(Path(name))]
    assert not wrong, wrong


def _flagged_lines(findings: list[dict[str, Any]]) -> set[int]:
    lines: set[int] = set()
    for finding in findings:
        # 0-based rows, with a line of slack around the diagnostic: insertions land next to it.
        first = finding["location"]["row"] - 2
        last = finding["end_location"]["row"]
        lines.update(range(first, last + 1))
    return lines


def _unsafe_fixes_are_sound(corpus_findings: list[dict[str, Any]], tmp_path: Path) -> None:
    by_file: dict[str, list[dict[str, Any]]] = {}
    for finding in corpus_findings:
        by_file.setdefault(finding["filename"], []).append(finding)
    fixable = {name for name, found in by_file.items() if any(f["fix"] for f in found)}
    assert fixable, "the corpus has no fixable finding: the test would prove nothing"
    # Copy every file with a finding, keeping its path below its corpus root (file names like __main__.py
    # and package layout matter to some rules).
    copies: dict[Path, Path] = {}
    for name in by_file:
        source = Path(name)
        index, root = next(
            (i, r) for i, r in enumerate(CORPUS) if source == r or r in source.parents
        )
        target = tmp_path / "copy" / str(index) / root.name / source.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copies[source] = target
    targets = sorted(copies.values())
    fixed = 0
    _check(targets, tmp_path, "--fix", "--unsafe-fixes")
    for source, target in copies.items():
        before = source.read_bytes()
        after = target.read_bytes()
        if str(source) not in fixable:
            assert after == before, f"{source} changed without a fixable diagnostic"
            continue
        if after == before:
            continue
        fixed += 1
        compile(after, str(target), "exec", dont_inherit=True)
        flagged = _flagged_lines(by_file[str(source)])
        matcher = difflib.SequenceMatcher(
            a=before.splitlines(), b=after.splitlines(), autojunk=False
        )
        for tag, i1, i2, _, _ in matcher.get_opcodes():
            if tag != "equal":
                touched = set(range(i1, max(i2, i1 + 1)))
                assert touched & flagged, f"{source}: lines {i1 + 1}-{i2} changed, no diagnostic"
    assert fixed, "no fix was applied to the corpus: the test would prove nothing"
    # Fixing is a fixed point: a second run over the fixed copies changes nothing more.
    snapshot = {target: target.read_bytes() for target in targets}
    _check(targets, tmp_path, "--fix", "--unsafe-fixes")
    changed = [str(t) for t, data in snapshot.items() if t.read_bytes() != data]
    assert not changed, changed


def test_corpus(tmp_path: Path) -> None:
    """One test, so that the parallel runner lints the corpus once (each helper states one promise)."""
    findings = _check(CORPUS, tmp_path)
    _no_internal_errors(findings)
    _unparsable_only_where_cpython_agrees(findings)
    _unsafe_fixes_are_sound(findings, tmp_path)


def test_import_gate_drops_only_files_without_findings() -> None:
    """Every corpus file that passes the text prefilter but that the import gate turns away has no
    finding when linted without either (read in process; the gate must never change a result)."""
    import ast

    from mplint.config import Config
    from mplint.engine import could_have_findings, imports_modelled_module, lint_source

    config = Config(preview=True)
    dropped = 0
    for root in CORPUS:
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            try:
                text = path.read_text(encoding="utf-8")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # invalid escapes in old test files
                    tree = ast.parse(text)
            except (UnicodeDecodeError, SyntaxError, ValueError):
                continue
            if not could_have_findings(text) or imports_modelled_module(text, tree):
                continue
            dropped += 1
            assert lint_source(str(path), text, config, prefilter=False) == [], path
    assert dropped > 10  # the gate does turn files away in this corpus
