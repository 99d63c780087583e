"""The front door a ruff user trusts, run as a subprocess: configuration files and flags, the target
version, the cache's place and contents, and no silent no-ops (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Optional

import pytest

from mplint.config import lowest_target

from .cli_support import BUGGY, mplint
from .conftest import ROOT

# concurrent.futures.TimeoutError is the builtin TimeoutError only from Python 3.11.
FUTURES_TIMEOUT = textwrap.dedent(
    """\
    from concurrent.futures import ProcessPoolExecutor
    def f(x): return x
    def go():
        with ProcessPoolExecutor() as ex:
            fut = ex.submit(f, 1)
            try:
                return fut.result(timeout=5)
            except TimeoutError:
                return None
    """
)


def codes_of(result: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    assert result.returncode in (0, 1), result.stderr
    return sorted(
        (os.path.normpath(d["filename"]), d["location"]["row"], d["code"])
        for d in json.loads(result.stdout)
    )


# --- item 1: the cache keeps what the full format shows ----------------------------------------------------
def test_full_format_is_the_same_from_the_cache(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "bug.py").write_text(BUGGY)
    cold = mplint("check", "--output-format", "full", "bug.py", cwd=tmp_path)
    assert (tmp_path / ".mplint_cache").is_dir()
    warm = mplint("check", "--output-format", "full", "bug.py", cwd=tmp_path)
    assert cold.returncode == warm.returncode == 1
    assert "p.daemon = True" in cold.stdout and "help:" in cold.stdout, cold.stdout
    assert warm.stdout == cold.stdout
    # a setting that changes what a diagnostic carries (its fix) is part of the cache's key
    (tmp_path / "pyproject.toml").write_text("[tool.mplint]\nunfixable = ['MPL105']\n")
    unfixable = mplint("check", "bug.py", cwd=tmp_path)
    assert "MPL105 `p.daemon`" in unfixable.stdout and "[*]" not in unfixable.stdout


# --- item 3: the target version from requires-python -------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "target"),
    [
        (">=3.9", "py39"),
        (">=3.10, <4", "py310"),
        ("~=3.11.2", "py311"),
        ("==3.12.*", "py312"),
        (">=3.7", "py39"),
        ("<3.12", None),
        (">=3.9,!=3.9.1,>=3.10", "py310"),
    ],
)
def test_lowest_target(spec: str, target: Optional[str]) -> None:
    assert lowest_target(spec) == target


@pytest.mark.parametrize("with_table", [False, True])
def test_requires_python_sets_the_target(tmp_path: Path, with_table: bool) -> None:
    table = "[tool.mplint]\nignore = []\n" if with_table else ""
    (tmp_path / "pyproject.toml").write_text(f'[project]\nrequires-python = ">=3.9"\n{table}')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "job.py").write_text(FUTURES_TIMEOUT)
    old = mplint("check", "--no-cache", "--output-format", "json", "pkg", cwd=tmp_path)
    assert codes_of(old) == [("pkg/job.py", 8, "MPL308")]
    settings = mplint("check", "--show-settings", "pkg/job.py", cwd=tmp_path)
    assert 'target-version = "py39"' in settings.stdout, settings.stdout
    # target-version wins over requires-python; so does the flag
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nrequires-python = ">=3.9"\n[tool.mplint]\ntarget-version = "py311"\n'
    )
    new = mplint("check", "--no-cache", "--output-format", "json", "pkg", cwd=tmp_path)
    assert codes_of(new) == []
    flag = mplint(
        "check", "--no-cache", "--target-version", "py310", "--output-format", "json", "pkg",
        cwd=tmp_path,
    )  # fmt: skip
    assert codes_of(flag) == [("pkg/job.py", 8, "MPL308")]


# --- item 4: newer syntax than the running Python --------------------------------------------------------
PEP695 = "import multiprocessing as mp\n\ntype Pair = tuple[int, int]\n\np = mp.Process(target=print)\np.start()\n"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs a Python without PEP 695")
def test_syntax_of_a_newer_target_is_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "new.py").write_text(PEP695)
    (tmp_path / "broken.py").write_text("import multiprocessing\nx = (\n")
    args = ("check", "--no-cache", "--output-format", "json")
    running = mplint(*args, cwd=tmp_path)
    assert ("new.py", 3, "MPL001") in codes_of(running)
    targeted = mplint(*args, "--target-version", "py312", cwd=tmp_path)
    found = codes_of(targeted)
    assert ("new.py", 6, "MPL201") in found and not any(
        path == "new.py" and code == "MPL001" for path, _, code in found
    )
    assert ("broken.py", 2, "MPL001") in found  # a real syntax error still is one
    messages = {d["message"] for d in json.loads(targeted.stdout) if d["code"] == "MPL001"}
    assert messages == {"SyntaxError: '(' was never closed"}


# --- items 5 and 10: no silent no-ops --------------------------------------------------------------------
def test_no_silent_no_ops(tmp_path: Path) -> None:
    (tmp_path / "bug.py").write_text(BUGGY)
    empty = mplint("check", "--select", "", cwd=tmp_path)
    assert empty.returncode == 2 and "--select: no codes given" in empty.stderr
    preview = mplint("check", "--no-cache", "--select", "MPL207", cwd=tmp_path)
    assert "`MPL207` selects only preview rules (MPL207)" in preview.stderr
    assert "--preview" in preview.stderr and "enables no rule" in preview.stderr
    with_preview = mplint("check", "--no-cache", "--select", "MPL207", "--preview", cwd=tmp_path)
    assert "warning" not in with_preview.stderr
    for flags in ((), ("--exit-zero",)):
        missing = mplint("check", *flags, "bug.py", "bug_typo.py", cwd=tmp_path)
        assert missing.returncode == 2, flags
        assert "bug_typo.py:1:1: MPL002 no such file or directory" in missing.stdout
        assert "bug.py:9:5: MPL105" in missing.stdout  # the other files are still checked
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("import multiprocessing\n")
    nothing = mplint("check", "docs", cwd=tmp_path)
    assert nothing.returncode == 0
    assert "All checks passed!" not in nothing.stdout
    assert "mplint: warning: No Python files found under docs" in nothing.stderr


def test_unknown_noqa_codes_are_warned_about(tmp_path: Path) -> None:
    text = BUGGY.replace("p.daemon = True", "p.daemon = True  # noqa: MPL105, MPL999, E501")
    (tmp_path / "bug.py").write_text(text + "# mplint: noqa: MPL77\n")
    for _ in range(2):  # the second run is answered from the cache: still warned
        result = mplint("check", "bug.py", cwd=tmp_path)
        assert result.returncode == 0, result.stdout
        assert "bug.py:9: warning: unknown rule code MPL999 in `# noqa`" in result.stderr
        assert "bug.py:10: warning: unknown rule code MPL77" in result.stderr
        assert "E501" not in result.stderr  # other tools' codes are theirs


def test_rule_explains_the_meta_codes(tmp_path: Path) -> None:
    for code in ("MPL001", "MPL002", "MPL003", "MPL004", "syntax-error"):
        result = mplint("rule", code, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Not a rule" in result.stdout
    data = json.loads(mplint("rule", "MPL002", "--output-format", "json", cwd=tmp_path).stdout)
    assert data["code"] == "MPL002" and data["rule"] is False
    assert mplint("rule", "MPL009", cwd=tmp_path).returncode == 2


def test_file_level_flake8_noqa(tmp_path: Path) -> None:
    (tmp_path / "all.py").write_text("# flake8: noqa\n" + BUGGY)
    (tmp_path / "some.py").write_text("# flake8: noqa: MPL201\n" + BUGGY)
    result = mplint("check", "--no-cache", "--output-format", "json", cwd=tmp_path)
    assert codes_of(result) == [("some.py", 10, "MPL105")]


def test_stdin_among_files(tmp_path: Path) -> None:
    (tmp_path / "bug.py").write_text(BUGGY)
    result = mplint(
        "check", "--no-cache", "--output-format", "json", "bug.py", "-",
        "--stdin-filename", "piped.py", cwd=tmp_path, stdin=BUGGY,
    )  # fmt: skip
    assert codes_of(result) == [("bug.py", 9, "MPL105"), ("piped.py", 9, "MPL105")]


def test_bad_flag_combinations(tmp_path: Path) -> None:
    both = mplint("check", "--exit-zero", "--exit-non-zero-on-fix", cwd=tmp_path)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    shows = mplint("check", "--show-files", "--show-settings", cwd=tmp_path)
    assert shows.returncode == 2 and "not allowed with argument" in shows.stderr
    for abbreviated in (
        ("check", "--no-cach"),
        ("check", "--exit-z"),
        ("rules", "--output", "json"),
    ):
        result = mplint(*abbreviated, cwd=tmp_path)
        assert result.returncode == 2 and "unrecognized arguments" in result.stderr, abbreviated


# --- item 6: the cache in the project root ---------------------------------------------------------------
def test_cache_lives_in_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    (sub / "bug.py").write_text(BUGGY)
    result = mplint("check", "bug.py", cwd=sub)
    assert result.returncode == 1
    assert (tmp_path / ".mplint_cache").is_dir()
    assert not (sub / ".mplint_cache").exists()
    cleaned = mplint("clean", cwd=sub)
    assert cleaned.returncode == 0 and "Removed" in cleaned.stdout
    assert not (tmp_path / ".mplint_cache").exists()


# --- item 7 (counting): the total after --fix agrees with the run before -----------------------------------
def test_fix_summary_counts_what_was_found(tmp_path: Path) -> None:
    for name in ("downloader.py", "log_writer.py", "thumbnails.py"):
        (tmp_path / name).write_text((ROOT / "examples" / name).read_text())
    before = mplint("check", "--no-cache", cwd=tmp_path)
    found = before.stdout.splitlines()[-2]
    assert found.startswith("Found 5 errors."), before.stdout
    fixed = mplint("check", "--no-cache", "--fix", cwd=tmp_path)
    summary = [line for line in fixed.stdout.splitlines() if line.startswith("Found")]
    assert summary and summary[0].startswith("Found 5 errors (4 fixed, 2 remaining"), fixed.stdout
    assert "1 more error appeared while fixing" in summary[0]


# --- item 9: configuration files and flags ---------------------------------------------------------------
def test_mplint_toml_is_found_like_ruff_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mplint]\nignore = ["MPL105"]\n')
    (tmp_path / "bug.py").write_text(BUGGY)
    args = ("check", "--no-cache", "--output-format", "json")
    assert codes_of(mplint(*args, cwd=tmp_path)) == []
    (tmp_path / "mplint.toml").write_text('ignore = ["MPL201"]\n')  # wins over pyproject.toml
    assert codes_of(mplint(*args, cwd=tmp_path)) == [("bug.py", 9, "MPL105")]
    (tmp_path / ".mplint.toml").write_text('extend-ignore = ["MPL1"]\n')  # wins over mplint.toml
    assert codes_of(mplint(*args, cwd=tmp_path)) == []
    settings = mplint("check", "--show-settings", "bug.py", cwd=tmp_path)
    assert f"Settings file: {tmp_path.resolve() / '.mplint.toml'}" in settings.stdout
    assert 'ignore = ["MPL1"]' in settings.stdout


def test_config_flag_takes_a_pyproject(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "pyproject.toml").write_text('[tool.mplint]\nextend-ignore = ["MPL105"]\n')
    (tmp_path / "bug.py").write_text(BUGGY)
    args = ("check", "--no-cache", "--output-format", "json")
    assert codes_of(mplint(*args, cwd=tmp_path)) == [("bug.py", 9, "MPL105")]
    assert codes_of(mplint(*args, "--config", "ci/pyproject.toml", cwd=tmp_path)) == []
    (tmp_path / "ci" / "pyproject.toml").write_text('[tool.mplint]\nextend-ignore = ["MPL9"]\n')
    bad = mplint("check", "--config", "ci/pyproject.toml", cwd=tmp_path)
    assert bad.returncode == 2 and "'tool.mplint.extend-ignore'" in bad.stderr


def test_exclude_and_per_file_flags(tmp_path: Path) -> None:
    for name in ("a/bug.py", "b/bug.py", "gen/bug.py", "tests/test_bug.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(BUGGY)
    (tmp_path / "pyproject.toml").write_text('[tool.mplint]\nextend-exclude = ["gen"]\n')
    files = mplint("check", "--show-files", cwd=tmp_path).stdout.split()
    assert files == ["a/bug.py", "b/bug.py", "tests/test_bug.py"]
    files = mplint("check", "--show-files", "--extend-exclude", "b", cwd=tmp_path).stdout.split()
    assert files == ["a/bug.py", "tests/test_bug.py"]
    # --exclude replaces the configured exclude (and the defaults); extend-exclude still applies
    files = mplint("check", "--show-files", "--exclude", "a,tests", cwd=tmp_path).stdout.split()
    assert files == ["b/bug.py"]
    # a directory named on the command line is checked even when excluded (not with --force-exclude)
    assert mplint("check", "--show-files", "gen", cwd=tmp_path).stdout.split() == ["gen/bug.py"]
    forced = mplint("check", "--show-files", "--force-exclude", "gen", cwd=tmp_path)
    assert forced.stdout.split() == []
    result = mplint(
        "check", "--no-cache", "--output-format", "json", "--per-file-ignores",
        "tests/*:MPL105 bug.py:MPL201", cwd=tmp_path,
    )  # fmt: skip
    assert codes_of(result) == [("a/bug.py", 9, "MPL105"), ("b/bug.py", 9, "MPL105")]
    bad = mplint("check", "--per-file-ignores", "tests", cwd=tmp_path)
    assert bad.returncode == 2 and "PATTERN:CODES" in bad.stderr


# --- item 12: the project's own configuration ------------------------------------------------------------
def test_the_projects_own_configuration_excludes_its_test_data() -> None:
    files = mplint("check", "--show-files", cwd=ROOT).stdout.split()
    assert files and "mplint/cli.py" in files
    for excluded in ("tests/fixtures/", "tests/witnesses/", "tests/snapshots/", "examples/"):
        assert not any(f.startswith(excluded) for f in files), excluded
    whole = mplint("check", "--no-cache", cwd=ROOT)
    assert whole.returncode == 0, whole.stdout[-3000:]
    demo = mplint("check", "--no-cache", "examples/", cwd=ROOT)
    assert demo.returncode == 1 and "Found 5 errors." in demo.stdout, demo.stdout
