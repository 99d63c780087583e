"""The pre-commit hooks in ``.pre-commit-hooks.yaml``, run by the real ``pre-commit``.

The tests commit a snapshot of this working tree (tracked and untracked files, without what
``.gitignore`` ignores) to a temporary repository, so that the hooks run exactly the code on disk:
``pre-commit try-repo`` on the checkout itself would clone its HEAD, or a temporary commit of HEAD plus
the staged and modified *tracked* files, and miss new files not yet added. Each hook then runs as
``try-repo`` runs it, ``pre-commit run`` with a configuration that names the hook at the snapshot's
commit, but with one store (``PRE_COMMIT_HOME``) for the module: pre-commit installs the hooks'
virtualenv (from PyPI for libcst) once, where ``try-repo``, whose store is always a throw-away one,
installs it on every call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from .conftest import ROOT, xdist_shared_dir

pytest.importorskip("pre_commit", reason="pre-commit is not installed")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)

BUGGY = """
import multiprocessing as mp


def work():
    pass


p = mp.Process(target=work)
p.start()
p.join()
"""

CLEAN = """
import multiprocessing as mp


def work():
    pass


if __name__ == "__main__":
    p = mp.Process(target=work)
    p.start()
    p.join()
"""

# Only safe fixes: MPL105 (daemon set after start) is fixed by moving the assignment before start().
FIXABLE = """
import multiprocessing as mp


def work():
    pass


if __name__ == "__main__":
    p = mp.Process(target=work)
    p.start()
    p.daemon = True
    p.join()
"""


def _git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def _new_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _git("init", "-q", ".", cwd=path)
    _git("config", "user.email", "tests@example.com", cwd=path)
    _git("config", "user.name", "tests", cwd=path)
    _git("config", "commit.gpgsign", "false", cwd=path)
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    _git("add", "-A", cwd=path)
    _git("commit", "-q", "--no-verify", "-m", "files", cwd=path)
    return path


def _snapshot(snapshot: Path) -> Path:
    """A git repository at ``snapshot`` holding a snapshot of this working tree, as one commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if listed.returncode == 0:
        names = [n for n in listed.stdout.decode().split("\0") if n]
    else:  # not a git checkout (an unpacked sdist): everything but caches
        names = [
            str(p.relative_to(ROOT))
            for p in ROOT.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and ".git" not in p.parts
        ]
    for name in names:
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree
            continue
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file()
    return _new_repo(snapshot, {})


#: How long a pytest-xdist worker waits for the snapshot that another one is making.
SNAPSHOT_WAIT = 300.0


@pytest.fixture(scope="module")
def hooks_repo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The snapshot of this working tree that the hooks come from. The pytest-xdist workers share one
    (and so one store, ``pre_commit_home``, and one install): the first to ask makes it."""
    shared = xdist_shared_dir(request.config)
    if shared is None:
        return _snapshot(tmp_path_factory.mktemp("mplint-snapshot"))
    snapshot, ready = shared / "mplint-snapshot", shared / "mplint-snapshot.ready"
    try:
        (shared / "mplint-snapshot.claim").mkdir()
    except FileExistsError:  # another worker makes it
        deadline = time.monotonic() + SNAPSHOT_WAIT
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        if ready.exists():
            return snapshot
        return _snapshot(tmp_path_factory.mktemp("mplint-snapshot"))  # that worker failed
    _snapshot(snapshot)
    ready.touch()
    return snapshot


@pytest.fixture(scope="module")
def pre_commit_home(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """pre-commit's store, shared by the pytest-xdist workers (pre-commit locks it while installing)."""
    shared = xdist_shared_dir(request.config)
    if shared is None:
        return tmp_path_factory.mktemp("pre-commit-home")
    return shared / "pre-commit-home"


def run_hook(
    hooks_repo: Path, hook: str, repo: Path, home: Path, *extra: str, all_files: bool = True
) -> subprocess.CompletedProcess[str]:
    """``pre-commit run`` of ``hook`` from ``hooks_repo`` in ``repo``, as ``try-repo`` runs it: on all its
    files, or (``all_files=False``) on the staged ones only, as a commit runs it."""
    head = _git("rev-parse", "HEAD", cwd=hooks_repo).strip()
    config = repo.parent / f"{hook}.pre-commit-config.yaml"  # outside the repository, as try-repo's
    config.write_text(
        f"repos:\n- repo: {hooks_repo}\n  rev: {head}\n  hooks:\n  - id: {hook}\n", encoding="utf-8"
    )
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    env.pop("PYTHONPATH", None)  # the hook runs in pre-commit's own virtualenv
    args: Sequence[str] = [
        sys.executable,
        "-m",
        "pre_commit",
        "run",
        "--config",
        str(config),
        *(["--all-files"] if all_files else []),
        *extra,
    ]
    return subprocess.run(
        args, cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_mplint_fails_on_a_bug_and_names_the_code(
    hooks_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    repo = _new_repo(tmp_path / "repo", {"app/buggy.py": BUGGY, "app/clean.py": CLEAN})
    result = run_hook(hooks_repo, "mplint", repo, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "app/buggy.py:9:1: MPL201" in output, output
    assert "clean.py" not in output, output
    assert "Traceback" not in output, output
    # pre-commit only reports; it must not have touched the file.
    assert (repo / "app/buggy.py").read_text(encoding="utf-8") == textwrap.dedent(BUGGY).lstrip()


def test_mplint_passes_on_clean_code(
    hooks_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    repo = _new_repo(
        tmp_path / "repo",
        {
            "clean.py": CLEAN,
            # Not Python: types_or keeps it from the hook (named explicitly, it would not parse).
            "notes.md": "Start workers with `import multiprocessing` ...\n",
            # Excluded by default (build/): --force-exclude applies that to files pre-commit names.
            "build/generated.py": BUGGY,
        },
    )
    result = run_hook(hooks_repo, "mplint", repo, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Passed" in output, output


def test_mplint_fix_fixes_then_passes(
    hooks_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    repo = _new_repo(tmp_path / "repo", {"job.py": FIXABLE})
    original = (repo / "job.py").read_text(encoding="utf-8")
    first = run_hook(hooks_repo, "mplint-fix", repo, pre_commit_home)
    output = first.stdout + first.stderr
    assert first.returncode == 1, output  # it changed a file
    assert "Traceback" not in output, output
    fixed = (repo / "job.py").read_text(encoding="utf-8")
    assert fixed != original
    assert fixed.index("p.daemon = True") < fixed.index("p.start()"), fixed
    second = run_hook(hooks_repo, "mplint-fix", repo, pre_commit_home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (repo / "job.py").read_text(encoding="utf-8") == fixed


TASKS = """
import sys


def check(path):
    if not path.endswith(".txt"):
        sys.exit(1)
    return path
"""

MAIN_BEFORE = """
from tasks import check


def run(paths):
    return [check(p) for p in paths]
"""

MAIN_AFTER = """
from multiprocessing import Pool

from tasks import check


def run(paths):
    with Pool(4) as pool:
        return pool.map(check, paths)
"""


def test_a_changed_module_is_judged_with_the_unchanged_modules_it_imports(
    hooks_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    """A commit that changes main.py alone: pre-commit passes only main.py, and its pool's task, which
    the unchanged tasks.py defines and which ends the worker, is still reported. The unchanged buggy
    module is not checked (it was not passed)."""
    repo = _new_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": "[project]\nname = 'app'\n",
            "tasks.py": TASKS,
            "main.py": MAIN_BEFORE,
            "old.py": BUGGY,
        },
    )
    (repo / "main.py").write_text(MAIN_AFTER.lstrip("\n"), encoding="utf-8")
    _git("add", "main.py", cwd=repo)
    result = run_hook(hooks_repo, "mplint", repo, pre_commit_home, all_files=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "main.py:8:25: MPL309 `sys.exit(1)` ends the worker process running `check`" in output
    assert "old.py" not in output, output
    assert "Traceback" not in output, output


def _readme_yaml_blocks() -> list[str]:
    """The YAML snippets of the README's pre-commit section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## pre-commit", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```yaml\n")[1:]]


def test_readme_names_nothing_that_cannot_work_yet() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install 'mplint[" not in readme  # no release on PyPI yet
    tags = _git("tag", "--list", cwd=ROOT).split() if (ROOT / ".git").exists() else []
    for block in _readme_yaml_blocks():
        for line in block.splitlines():
            if line.strip().startswith("rev:"):
                rev = line.split(":", 1)[1].split("#", 1)[0].strip()
                assert not rev.startswith("v") or rev in tags, f"no tag {rev} to pin"


def test_readme_autoupdate_pins_a_commit(hooks_repo: Path, tmp_path: Path) -> None:
    """The README's entry, pointed at a repository without tags: `pre-commit autoupdate` replaces its
    `rev` with the newest commit, as the README says."""
    remote = next(b for b in _readme_yaml_blocks() if "repo: https://" in b)
    url = remote.split("repo:", 1)[1].split()[0]
    repo = _new_repo(tmp_path / "repo", {"job.py": CLEAN})
    (repo / ".pre-commit-config.yaml").write_text(
        remote.replace(url, str(hooks_repo)), encoding="utf-8"
    )
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "home"), PRE_COMMIT_COLOR="never")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "autoupdate", "--repo", str(hooks_repo)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    head = _git("rev-parse", "HEAD", cwd=hooks_repo).strip()
    assert f"rev: {head}" in (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")


def test_readme_local_hook_runs(tmp_path: Path) -> None:
    """The README's `repo: local` entry, run by the real `pre-commit run` with this tree's mplint."""
    local = next(b for b in _readme_yaml_blocks() if "repo: local" in b)
    repo = _new_repo(
        tmp_path / "repo",
        {"app/buggy.py": BUGGY, "app/clean.py": CLEAN, ".pre-commit-config.yaml": local},
    )
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "home"), PRE_COMMIT_COLOR="never")
    env["PYTHONPATH"] = str(ROOT)
    env["PATH"] = os.pathsep.join((os.path.dirname(sys.executable), env.get("PATH", "")))
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "app/buggy.py:9:1: MPL201" in output, output
    assert "clean.py" not in output, output
