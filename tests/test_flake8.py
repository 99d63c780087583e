"""The flake8 plugin, driven through the real ``flake8`` command (no mocks).

flake8 finds the plugin through the installed ``flake8.extension`` entry point (``pip install -e .``);
``PYTHONPATH`` points every subprocess at this checkout so the code under test is this tree's.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple, Optional

import pytest

from mplint import __version__
from mplint.registry import all_rules

from .conftest import FIXTURES, ROOT

pytest.importorskip("flake8", reason="flake8 is not installed")

FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"

Finding = tuple[str, int, int, str]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


# Seconds for one flake8 or mplint process; generous because each imports libcst and every rule.
TIMEOUT = 900
# These tests start many processes; on a busy machine they need more than the suite's default.
pytestmark = pytest.mark.timeout(2 * TIMEOUT)


class Command(NamedTuple):
    args: list[str]
    cwd: Path
    stdin: Optional[str] = None


def flake8_command(*args: str, cwd: Path = ROOT, stdin: Optional[str] = None) -> Command:
    return Command([sys.executable, "-m", "flake8", f"--format={FORMAT}", *args], cwd, stdin)


def mplint_command(*args: str, cwd: Path = ROOT) -> Command:
    check = ["check", "--output-format", "json", "--no-cache"]
    return Command([sys.executable, "-m", "mplint", *check, *args], cwd)


def _run(command: Command) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command.args,
        cwd=command.cwd,
        env=_env(),
        input=command.stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def run_together(*commands: Command) -> list[subprocess.CompletedProcess[str]]:
    """Run independent processes at the same time; results in the order given."""
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(_run, commands))


def flake8(
    *args: str, cwd: Path = ROOT, stdin: Optional[str] = None
) -> subprocess.CompletedProcess[str]:
    return _run(flake8_command(*args, cwd=cwd, stdin=stdin))


def flake8_findings(result: subprocess.CompletedProcess[str]) -> list[tuple[Finding, str]]:
    """((path, line, column, code), message) for each line flake8 printed.

    Every line must have all five fields: a message spanning lines would break flake8's formats.
    """
    assert "Traceback" not in result.stderr, result.stderr
    out = []
    for line in result.stdout.splitlines():
        path, row, col, code, text = line.split("\t", 4)
        out.append(((os.path.normpath(path), int(row), int(col), code), text))
    return out


def flake8_set(result: subprocess.CompletedProcess[str]) -> set[Finding]:
    return {finding for finding, _ in flake8_findings(result)}


def codes(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {code for *_, code in flake8_set(result)}


def json_set(result: subprocess.CompletedProcess[str]) -> set[Finding]:
    """(path, line, column, code) from `mplint check --output-format json`."""
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return {
        (
            os.path.normpath(d["filename"]),
            d["location"]["row"],
            d["location"]["column"],
            d["code"],
        )
        for d in json.loads(result.stdout)
    }


def mplint_json(*args: str, cwd: Path = ROOT) -> set[Finding]:
    return json_set(_run(mplint_command(*args, cwd=cwd)))


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# A module whose only finding, under the default (portable) start method, is MPL201: it starts a
# process at import time, which only spawn and forkserver re-run in the child.
ONLY_MPL201 = """
import multiprocessing as mp


def work():
    pass


p = mp.Process(target=work)
p.start()
p.join()
"""

# Four MPL101 findings (lines 9-12), three of them carrying a noqa comment.
NOQA = """
import multiprocessing as mp


def work():
    pass


if __name__ == "__main__":
    a = mp.Process(target=work())
    b = mp.Process(target=work())  # noqa: MPL101
    c = mp.Process(target=work())  # noqa: MPL1
    d = mp.Process(target=work())  # noqa
    for p in (a, b, c, d):
        p.start()
        p.join()
"""


def test_flake8_lists_the_plugin() -> None:
    result = flake8("--version")
    assert result.returncode == 0, result.stderr
    assert f"mplint: {__version__}" in result.stdout, (
        f"flake8 does not list mplint (run `pip install -e .`):\n{result.stdout}{result.stderr}"
    )


def _parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return False
    return True


# flake8 runs plugins only on files Python parses (E999 for the others), so those are compared.
FIXTURE_PATHS = sorted(
    str(p.relative_to(ROOT))
    for p in FIXTURES.glob("*.py")
    if not p.name.endswith(".fixed.py") and _parses(p)
)


@pytest.fixture(scope="module")
def fixture_runs() -> tuple[set[Finding], set[Finding]]:
    """(flake8 --select MPL, mplint check) over every fixture, preview on, run side by side."""
    from_flake8, from_cli = run_together(
        flake8_command("--isolated", "--select", "MPL", "--mplint-preview", *FIXTURE_PATHS),
        mplint_command("--preview", *FIXTURE_PATHS),
    )
    assert from_flake8.returncode == 1, from_flake8.stdout[-2000:] + from_flake8.stderr
    return flake8_set(from_flake8), json_set(from_cli)


def test_same_findings_as_the_cli(fixture_runs: tuple[set[Finding], set[Finding]]) -> None:
    """Every fixture: flake8 --select MPL reports exactly what `mplint check` reports."""
    from_flake8, from_cli = fixture_runs
    assert from_flake8 == from_cli, (
        f"only flake8: {sorted(from_flake8 - from_cli)}\nonly the CLI: {sorted(from_cli - from_flake8)}"
    )
    # The comparison covers every rule that exists (each has a fixture that must fire), but those
    # that report only in notebooks: flake8 reads Python files, never notebooks.
    missing = {r.CODE for r in all_rules() if not r.NOTEBOOK} - {code for *_, code in from_flake8}
    assert not missing, f"no fixture finding for {sorted(missing)}"


PREVIEW_CODES = sorted(r.CODE for r in all_rules() if r.PREVIEW)


def test_preview(tmp_path: Path) -> None:
    """Preview rules run with --mplint-preview, `mplint-preview = true` or [tool.mplint] preview."""
    # The preview rules' own fixtures, plus one stable rule's, copied where no pyproject.toml is.
    names = [f"{code}.py" for code in PREVIEW_CODES] + ["MPL101.py"]
    for name in names:
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "on").mkdir()
    (tmp_path / "off").mkdir()
    write(tmp_path / "on", "pyproject.toml", "[tool.mplint]\npreview = true\n")
    write(tmp_path / "on", "tox.ini", "[flake8]\nselect = MPL\nmplint-preview = false\n")
    write(tmp_path / "off", "tox.ini", "[flake8]\nselect = MPL\nmplint-preview = true\n")
    for name in names:
        shutil.copy(FIXTURES / name, tmp_path / "on" / name)
    select = ["--isolated", "--select", "MPL"]
    results = run_together(
        flake8_command(*select, *names, cwd=tmp_path),
        mplint_command(*names, cwd=tmp_path),
        flake8_command(*select, "--mplint-preview", *names, cwd=tmp_path),
        mplint_command("--preview", *names, cwd=tmp_path),
        flake8_command(*select, *names, cwd=tmp_path / "on"),
        flake8_command("--config", "tox.ini", *names, cwd=tmp_path / "on"),
        flake8_command("--config", "off/tox.ini", *names, cwd=tmp_path),
    )
    stable, stable_cli, preview, preview_cli, from_pyproject, config_off, config_on = results
    assert flake8_set(stable) == json_set(stable_cli)
    assert flake8_set(preview) == json_set(preview_cli)
    stable_codes = codes(stable)
    assert "MPL101" in stable_codes
    assert not stable_codes & set(PREVIEW_CODES)  # not even on their own fixtures
    assert codes(preview) == stable_codes | set(PREVIEW_CODES)
    assert codes(from_pyproject) == codes(preview)  # [tool.mplint] preview = true
    assert codes(config_off) == stable_codes  # flake8's `mplint-preview = false` beats the file
    assert codes(config_on) == codes(preview)


def test_messages_say_when_a_fix_is_available(tmp_path: Path) -> None:
    write(
        tmp_path,
        "daemon.py",
        """
        import multiprocessing as mp


        def work():
            pass


        if __name__ == "__main__":
            p = mp.Process(target=work)
            p.start()
            p.daemon = True
            p.join()
        """,
    )
    write(tmp_path, "target.py", NOQA)
    found = flake8_findings(flake8("--isolated", "--select", "MPL", ".", cwd=tmp_path))
    by_file = {(path, code): text for (path, _, _, code), text in found}
    assert by_file[("daemon.py", "MPL105")].endswith("(fix available: mplint check --fix)")
    assert by_file[("target.py", "MPL101")].endswith(
        "(unsafe fix: mplint check --fix --unsafe-fixes)"
    )


def test_noqa_is_flake8s(tmp_path: Path) -> None:
    write(tmp_path, "target.py", NOQA)
    plain, cli, disabled = run_together(
        flake8_command("--isolated", "--select", "MPL", "target.py", cwd=tmp_path),
        mplint_command("target.py", cwd=tmp_path),
        flake8_command(
            "--isolated", "--select", "MPL", "--disable-noqa", "target.py", cwd=tmp_path
        ),
    )
    found = flake8_set(plain)
    assert {(path, line, code) for path, line, _, code in found} == {("target.py", 9, "MPL101")}
    assert found == json_set(cli)
    # The plugin filters nothing itself: without flake8's noqa every finding is there.
    assert {line for _, line, _, _ in flake8_set(disabled)} == {9, 10, 11, 12}


def test_file_level_mplint_noqa(tmp_path: Path) -> None:
    write(tmp_path, "target.py", "# mplint: noqa: MPL101\n" + textwrap.dedent(NOQA).lstrip())
    plain, cli, disabled = run_together(
        flake8_command("--isolated", "--select", "MPL", "target.py", cwd=tmp_path),
        mplint_command("target.py", cwd=tmp_path),
        flake8_command(
            "--isolated", "--select", "MPL", "--disable-noqa", "target.py", cwd=tmp_path
        ),
    )
    assert flake8_set(plain) == set()
    assert json_set(cli) == set()
    assert len(flake8_set(disabled)) == 4


def test_flake8_selection_decides(tmp_path: Path) -> None:
    write(tmp_path, "target.py", NOQA)
    write(tmp_path, "starts.py", ONLY_MPL201)
    both = flake8_set(flake8("--isolated", "--select", "MPL", ".", cwd=tmp_path))
    assert {(path, code) for path, _, _, code in both} == {
        ("target.py", "MPL101"),
        ("starts.py", "MPL201"),
    }
    selections = (
        ["--select", "MPL", "--extend-ignore", "MPL101"],
        ["--select", "MPL", "--ignore", "MPL1"],
        ["--select", "MPL2"],
        ["--select", "MPL", "--per-file-ignores", "target.py:MPL101"],
        ["--extend-select", "MPL201", "--select", "E9,F"],
    )
    results = run_together(
        *(flake8_command("--isolated", *args, ".", cwd=tmp_path) for args in selections)
    )
    for args, result in zip(selections, results):
        found = flake8_set(result)
        assert {(path, code) for path, _, _, code in found} == {("starts.py", "MPL201")}, args


# A threading.Lock sent to a process (line 7): MPL504 supersedes MPL205 and MPL405 there.
THREAD_LOCK = """
import threading
from multiprocessing import Process

guard = threading.Lock()

def main(path):
    child = Process(target=print, args=(path, guard)){noqa}
    child.start()
"""


def test_superseded_rules_report_when_flake8_hides_the_superseding_one(tmp_path: Path) -> None:
    write(tmp_path, "lock.py", THREAD_LOCK.format(noqa=""))
    write(tmp_path, "noqa.py", THREAD_LOCK.format(noqa="  # noqa: MPL504"))
    base = ("--isolated", "--select", "MPL")
    plain, cli, ignored, per_file, disabled = run_together(
        flake8_command(*base, "lock.py", "noqa.py", cwd=tmp_path),
        mplint_command("lock.py", "noqa.py", cwd=tmp_path),
        flake8_command(*base, "--extend-ignore", "MPL504", "lock.py", cwd=tmp_path),
        flake8_command(*base, "--per-file-ignores", "lock.py:MPL5,MPL4", "lock.py", cwd=tmp_path),
        flake8_command(*base, "--disable-noqa", "noqa.py", cwd=tmp_path),
    )
    found = flake8_set(plain)
    assert found == json_set(cli)
    assert {(path, line, code) for path, line, _, code in found} == {
        ("lock.py", 7, "MPL504"),
        ("noqa.py", 7, "MPL405"),
    }
    assert {(line, code) for _, line, _, code in flake8_set(ignored)} == {(7, "MPL405")}
    assert {(line, code) for _, line, _, code in flake8_set(per_file)} == {(7, "MPL205")}
    assert {(line, code) for _, line, _, code in flake8_set(disabled)} == {(7, "MPL504")}


def test_tool_mplint_applies_under_flake8_too(tmp_path: Path) -> None:
    """The plugin reports what `mplint check` reports for the same settings: [tool.mplint]'s ignore,
    extend-ignore, per-file-ignores, exclude and extend-exclude apply; flake8 only filters on top."""
    for name in ("app/one.py", "app/two.py", "gen/made.py", "vendored/lib.py", "tests/test_x.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        write(tmp_path, name, ONLY_MPL201)
    write(
        tmp_path,
        "app/target.py",
        NOQA.replace("  # noqa: MPL101", "").replace("  # noqa: MPL1", "").replace("  # noqa", ""),
    )
    write(
        tmp_path,
        "pyproject.toml",
        """
        [tool.mplint]
        extend-ignore = ["MPL102"]
        exclude = ["vendored"]
        extend-exclude = ["gen"]
        [tool.mplint.per-file-ignores]
        "tests/*" = ["MPL201"]
        "two.py" = ["MPL2"]
        """,
    )
    plain, named, cli, narrowed = run_together(
        flake8_command("--isolated", "--select", "MPL", ".", cwd=tmp_path),
        # named one by one, as pre-commit does: the excludes still apply
        flake8_command(
            "--isolated",
            "--select",
            "MPL",
            "app",
            "gen/made.py",
            "vendored/lib.py",
            "tests/test_x.py",
            cwd=tmp_path,
        ),
        mplint_command(".", cwd=tmp_path),
        flake8_command(
            "--isolated", "--select", "MPL", "--extend-ignore", "MPL101", ".", cwd=tmp_path
        ),
    )
    expected = json_set(cli)
    assert {(path, code) for path, _, _, code in expected} == {
        ("app/one.py", "MPL201"),
        ("app/target.py", "MPL101"),
    }
    assert flake8_set(plain) == expected
    assert flake8_set(named) == expected
    # flake8's own selection comes on top
    assert {(path, code) for path, _, _, code in flake8_set(narrowed)} == {("app/one.py", "MPL201")}
    # and [tool.mplint] ignore hides a code from flake8 as from mplint check
    write(tmp_path, "pyproject.toml", '[tool.mplint]\nignore = ["MPL201"]\n')
    found = flake8_set(flake8("--isolated", "--select", "MPL", "app/one.py", cwd=tmp_path))
    assert found == set()


def test_start_method(tmp_path: Path) -> None:
    write(tmp_path, "a.py", ONLY_MPL201)
    write(tmp_path, "b.py", ONLY_MPL201)
    files = ["a.py", "b.py"]
    select = ["--isolated", "--select", "MPL"]
    # --jobs 2: the option must reach flake8's worker processes too.
    results = run_together(
        flake8_command(*select, *files, cwd=tmp_path),
        mplint_command(*files, cwd=tmp_path),
        flake8_command(*select, "--jobs", "2", "--mplint-start-method", "fork", *files, cwd=tmp_path),
        mplint_command("--start-method", "fork", *files, cwd=tmp_path),
        flake8_command(*select, "--jobs", "2", "--mplint-start-method", "spawn", *files, cwd=tmp_path),
    )  # fmt: skip
    portable = flake8_set(results[0])
    assert {(path, code) for path, _, _, code in portable} == {
        ("a.py", "MPL201"),
        ("b.py", "MPL201"),
    }
    assert portable == json_set(results[1])
    assert flake8_set(results[2]) == set() == json_set(results[3])
    assert flake8_set(results[4]) == portable

    # From flake8's configuration file, and from [tool.mplint] (which flake8's option overrides).
    config = tmp_path / "config"
    config.mkdir()
    write(config, "tox.ini", "[flake8]\nselect = MPL\nmplint-start-method = fork\n")
    write(tmp_path, "pyproject.toml", '[tool.mplint]\nstart-method = "fork"\n')
    results = run_together(
        flake8_command("--config", "config/tox.ini", "--mplint-start-method", "spawn", *files,
                       cwd=tmp_path),
        flake8_command(*select, *files, cwd=tmp_path),
        mplint_command(*files, cwd=tmp_path),
        flake8_command(*select, "--mplint-start-method", "portable", *files, cwd=tmp_path),
    )  # fmt: skip
    assert flake8_set(results[0]) == portable  # the command line beats flake8's config file
    assert flake8_set(results[1]) == set() == json_set(results[2])
    assert flake8_set(results[3]) == portable


def test_start_method_from_flake8_config(tmp_path: Path) -> None:
    write(tmp_path, "a.py", ONLY_MPL201)
    write(tmp_path, "tox.ini", "[flake8]\nselect = MPL\nmplint-start-method = fork\n")
    assert flake8_set(flake8("--config", "tox.ini", "a.py", cwd=tmp_path)) == set()


def test_standard_input(tmp_path: Path) -> None:
    """``flake8 -``: the display name locates [tool.mplint], as it does for `mplint check -`."""
    text = textwrap.dedent(ONLY_MPL201).lstrip()
    args = ["--isolated", "--select", "MPL", "--stdin-display-name"]
    (tmp_path / "app").mkdir()
    write(tmp_path / "app", "pyproject.toml", '[tool.mplint]\nstart-method = "fork"\n')
    elsewhere, in_app = run_together(
        flake8_command(*args, "run.py", "-", cwd=tmp_path, stdin=text),
        flake8_command(*args, "app/run.py", "-", cwd=tmp_path, stdin=text),
    )
    assert {(path, code) for path, _, _, code in flake8_set(elsewhere)} == {("run.py", "MPL201")}
    assert flake8_set(in_app) == set()


def test_bad_start_method_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "a.py", ONLY_MPL201)
    result = flake8("--isolated", "--mplint-start-method", "threads", "a.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "--mplint-start-method" in result.stderr
    write(tmp_path, "setup.cfg", "[flake8]\nmplint-start-method = threads\n")
    result = flake8("a.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "mplint-start-method: invalid choice: 'threads'" in result.stderr
    assert "Traceback" not in result.stderr


def test_syntax_error_is_flake8s(tmp_path: Path) -> None:
    write(tmp_path, "broken.py", "import multiprocessing\n\nx = (\n")
    write(tmp_path, "starts.py", ONLY_MPL201)
    result = flake8("--isolated", "--select", "E9,MPL", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    found = flake8_set(result)
    assert {(path, code) for path, _, _, code in found} == {
        ("broken.py", "E999"),
        ("starts.py", "MPL201"),
    }


def test_invalid_tool_mplint_is_reported_not_fatal(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.mplint]\nstart-methd = "fork"\n')
    write(tmp_path, "starts.py", ONLY_MPL201)
    write(tmp_path, "plain.py", "import os\n\nprint(os.getcwd())\n")
    found = flake8_findings(flake8("--isolated", "--select", "MPL,F", ".", cwd=tmp_path))
    # plain.py cannot have a finding: the plugin never even looks for its configuration.
    assert [(finding[0], finding[3]) for finding, _ in found] == [("starts.py", "MPL002")]
    assert "start-methd" in found[0][1]
    assert "did you mean 'start-method'" in found[0][1]


def test_no_work_on_files_the_prefilter_rules_out(tmp_path: Path) -> None:
    """A flake8 run over files that cannot have a finding never imports libcst or reads config."""
    write(tmp_path, "plain.py", "import os\n\nprint(os.getcwd())\n")
    write(tmp_path, "pyproject.toml", "[tool.mplint\nbroken")  # would be an error if read
    script = textwrap.dedent(
        """
        import sys
        from flake8.main.application import Application
        from mplint.flake8_plugin import MplintChecker

        app = Application()
        app.run(["--isolated", "--jobs", "1", "plain.py"])
        assert app.result_count == 0, app.result_count
        assert "mplint.flake8_plugin" in sys.modules
        heavy = sorted(m for m in sys.modules if m.startswith(("libcst", "mplint.engine")))
        assert not heavy, heavy
        assert MplintChecker._resolver is None, MplintChecker._resolver
        print("ok")
        """
    )
    result = _run(Command([sys.executable, "-c", script], tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"


def test_no_work_when_flake8_selects_no_mpl_code(tmp_path: Path) -> None:
    """``--select E,F,W``: the plugin runs on a file with a finding but does nothing (no settings
    lookup, no engine, no libcst); ``--select MPL2`` runs only the MPL2 rules, and ``--extend-ignore``
    takes rules away; the plugin's default selection (no ``--select``) runs them all."""
    write(tmp_path, "starts.py", ONLY_MPL201)
    script = textwrap.dedent(
        """
        import sys
        from flake8.main.application import Application
        from mplint.flake8_plugin import MplintChecker
        from mplint.codes import RULES

        def run(*args):
            app = Application()
            app.run(["--isolated", "--jobs", "1", *args, "starts.py"])
            return app.result_count

        assert run("--select", "E,F,W") == 0
        assert MplintChecker._codes == frozenset(), MplintChecker._codes
        heavy = sorted(m for m in sys.modules if m.startswith(("libcst", "mplint.engine")))
        assert not heavy, heavy
        assert MplintChecker._resolver is None, MplintChecker._resolver

        import mplint.engine

        seen = []
        real = mplint.engine.lint_source

        def recording(path, text, config=None, **options):
            rules = options.get("rules")
            seen.append(None if rules is None else sorted(r.CODE for r in rules))
            return real(path, text, config, **options)

        mplint.engine.lint_source = recording
        assert run("--select", "MPL2") == 1
        every = sorted(code for code, _, preview in RULES if not preview)
        assert seen[-1] == [c for c in every if c.startswith("MPL2")], seen
        assert run("--select", "E,MPL", "--extend-ignore", "MPL1,MPL3,MPL4,MPL5") == 1
        assert seen[-1] == [c for c in every if c.startswith("MPL2")], seen
        assert run("--select", "MPL1") == 0
        assert seen[-1] == [c for c in every if c.startswith("MPL1")], seen
        assert run() == 1
        assert seen[-1] is None, seen  # every rule: flake8 selects them all
        print("ok")
        """
    )
    result = _run(Command([sys.executable, "-c", script], tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ok"
