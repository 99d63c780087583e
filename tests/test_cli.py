"""The ``mplint`` command, run as a user runs it: exit codes, formats, bad input, configuration."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .cli_support import BUGGY, mplint

CLEAN = "import multiprocessing as mp\n\ndef main():\n    return mp.cpu_count()\n"


def test_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(CLEAN)
    ok = mplint("check", "clean.py", cwd=tmp_path)
    assert (ok.returncode, ok.stdout.strip()) == (0, "All checks passed!")
    (tmp_path / "bug.py").write_text(BUGGY)
    found = mplint("check", cwd=tmp_path)
    assert found.returncode == 1
    assert "bug.py:9:5: MPL105 [*] `p.daemon` is set after `p.start()`" in found.stdout
    assert "Found 1 error." in found.stdout
    assert mplint("check", "--exit-zero", cwd=tmp_path).returncode == 0
    usage = mplint("check", "--no-such-option", cwd=tmp_path)
    assert usage.returncode == 2 and "unrecognized arguments" in usage.stderr
    bad_select = mplint("check", "--select", "MPL9", cwd=tmp_path)
    assert bad_select.returncode == 2
    assert "--select: unknown rule code(s): MPL9" in bad_select.stderr
    missing = mplint("check", "nope.py", cwd=tmp_path)
    # a mistyped path is a usage error (exit 2), reported like any file mplint could not read
    assert (
        missing.returncode == 2
        and "nope.py:1:1: MPL002 no such file or directory" in missing.stdout
    )


def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    (tmp_path / "bug.py").write_text(BUGGY)
    plain = mplint("check", "--fix", "bug.py", cwd=tmp_path)
    assert plain.returncode == 0 and "1 fixed, 0 remaining" in plain.stdout
    (tmp_path / "bug.py").write_text(BUGGY)
    strict = mplint("check", "--fix", "--exit-non-zero-on-fix", "bug.py", cwd=tmp_path)
    assert strict.returncode == 1


def test_json_output_uses_ruffs_schema(tmp_path: Path) -> None:
    (tmp_path / "bug.py").write_text(BUGGY)
    result = mplint("check", "--output-format", "json", "bug.py", cwd=tmp_path)
    [item] = json.loads(result.stdout)
    assert item["code"] == "MPL105"
    assert item["filename"].endswith("bug.py")
    assert item["location"] == {"row": 9, "column": 5}
    assert item["end_location"] == {"row": 9, "column": 13}
    assert item["noqa_row"] == 9
    assert item["url"].endswith("rules/MPL105.md")
    fix = item["fix"]
    assert fix["applicability"] == "safe"
    assert fix["message"]
    for edit in fix["edits"]:
        assert set(edit) == {"content", "location", "end_location"}


def test_bad_files_next_to_buggy_ones(tmp_path: Path) -> None:
    (tmp_path / "bug.py").write_text(BUGGY)
    (tmp_path / "py2.py").write_text("import multiprocessing\nprint 'old'\n")
    (tmp_path / "binary.py").write_bytes(b"import multiprocessing\x00\x01\x02\xff")
    (tmp_path / "latin.py").write_bytes(
        b"# -*- coding: latin-1 -*-\n" + BUGGY.replace("pass", "s = 'é'").encode("latin-1")
    )
    (tmp_path / "undecodable.py").write_bytes(b"import multiprocessing\ns = '\xff\xfe'\n")
    (tmp_path / "cookie.py").write_bytes(b"# coding: klingon\nimport multiprocessing\n")
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "dir.py").mkdir()
    result = mplint("check", "--output-format", "json", ".", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    found = {(Path(d["filename"]).name, d["code"]) for d in json.loads(result.stdout)}
    assert found == {
        ("bug.py", "MPL105"),
        ("latin.py", "MPL105"),
        ("py2.py", "MPL001"),
        ("binary.py", "MPL002"),
        ("undecodable.py", "MPL002"),
        ("cookie.py", "MPL002"),
    }
    text = mplint("check", ".", cwd=tmp_path).stdout
    assert "py2.py:2:" in text and "SyntaxError" in text
    assert "binary.py:1:1: MPL002" in text and "NUL" in text
    assert "undecodable.py:1:1: MPL002" in text and "cannot decode as utf-8" in text


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file; covered by test_unreadable_file_as_mock")
    path = tmp_path / "secret.py"
    path.write_text(BUGGY)
    path.chmod(0)
    result = mplint("check", str(path), cwd=tmp_path)
    assert result.returncode == 1 and "permission denied" in result.stdout


def test_unreadable_file_as_mock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import builtins

    from mplint.cli import main

    (tmp_path / "secret.py").write_text(BUGGY)
    (tmp_path / "bug.py").write_text(BUGGY)
    real_open = builtins.open

    def guarded_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.chdir(tmp_path)
    code = main(["check", "."])
    out = capsys.readouterr().out
    assert code == 1
    assert "secret.py:1:1: MPL002 permission denied" in out
    assert "bug.py:9:5: MPL105" in out


def test_vanished_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import mplint.cli
    from mplint.files import Candidate

    (tmp_path / "bug.py").write_text(BUGGY)
    monkeypatch.chdir(tmp_path)
    real = mplint.cli.discover

    def discover_then_vanish(*args: object, **kwargs: object) -> object:
        yield Candidate("gone.py", explicit=False)
        yield from real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mplint.cli, "discover", discover_then_vanish)
    code = mplint.cli.main(["check", "."])
    out = capsys.readouterr().out
    assert code == 1
    assert "gone.py:1:1: MPL002 vanished before it could be read" in out
    assert "bug.py:9:5: MPL105" in out


def test_symlink_loop_and_excludes(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "bug.py").write_text(BUGGY)
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text(BUGGY)
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "gen.py").write_text(BUGGY)
    result = mplint("check", "--output-format", "json", ".", cwd=tmp_path)
    names = sorted(d["filename"] for d in json.loads(result.stdout))
    assert names == [os.path.join("pkg", "bug.py")]


def test_config_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mplint]\nignore = ["MPL105"]\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bug.py").write_text(BUGGY)
    assert mplint("check", cwd=tmp_path).returncode == 0
    assert mplint("check", "--select", "MPL105", cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.mplint]\nignored = ["MPL105"]\n')
    broken = mplint("check", cwd=tmp_path)
    assert broken.returncode == 2
    assert "unknown key 'tool.mplint.ignored' (did you mean 'ignore'?)" in broken.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.mplint\nselect = [\n")
    assert "invalid TOML" in mplint("check", cwd=tmp_path).stderr


def test_force_exclude(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mplint]\nextend-exclude = ["generated"]\n')
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "bug.py").write_text(BUGGY)
    assert mplint("check", cwd=tmp_path).returncode == 0
    assert mplint("check", "generated/bug.py", cwd=tmp_path).returncode == 1
    assert mplint("check", "--force-exclude", "generated/bug.py", cwd=tmp_path).returncode == 0


def test_stdin(tmp_path: Path) -> None:
    result = mplint("check", "-", "--stdin-filename", "job.py", cwd=tmp_path, stdin=BUGGY)
    assert result.returncode == 1
    assert "job.py:9:5: MPL105" in result.stdout


def test_rule_and_rules_commands(tmp_path: Path) -> None:
    listed = json.loads(mplint("rules", "--output-format", "json", cwd=tmp_path).stdout)
    by_code = {r["code"]: r for r in listed}
    assert {"MPL101", "MPL105", "MPL108", "MPL201", "MPL302"} <= set(by_code)
    assert set(by_code["MPL201"]) >= {"code", "name", "message", "severity", "fix", "preview"}
    assert by_code["MPL201"]["name"] == "missing-main-guard"
    explained = mplint("rule", "MPL201", cwd=tmp_path)
    assert explained.returncode == 0
    assert "## Why is this bad?" in explained.stdout and "bootstrapping phase" in explained.stdout
    assert mplint("rule", "missing-main-guard", cwd=tmp_path).stdout == explained.stdout
    unknown = mplint("rule", "MPL999", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown rule" in unknown.stderr


def test_never_imports_the_checked_code(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    payload = f"import multiprocessing\nopen({str(marker)!r}, 'w').write('ran')\n"
    for name in ("__init__.py", "conftest.py", "setup.py", "job.py"):
        (tmp_path / name).write_text(payload + BUGGY)
    result = mplint("check", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert not marker.exists()
