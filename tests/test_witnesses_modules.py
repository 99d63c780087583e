"""Runtime witnesses across modules: small packages whose bug lies in another module than the one that
runs it.

Each case is a package written to a temporary directory (its own project: a ``pyproject.toml``) and run
as ``python -m app.main`` in a fresh interpreter and its own process group, killed on its timeout, as
tests/witness_support.py runs the single-file witnesses. The bad package shows the failure at run time
(a pool that waits forever for a task whose worker a function of a third module ended, an executor
broken by one, a child that starts a process while it re-imports the launcher) and the linter, given
the package's project, reports the rule in ``app/main.py``; the good twin runs clean and draws no
finding in any of its modules.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from textwrap import dedent

import pytest

from mplint.config import Config
from mplint.engine import lint_source
from mplint.project import Project

from .witness_support import HANG_TIMEOUT, TIMEOUT, Run, run_script

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX signals and process groups", allow_module_level=True)

CONFIG = Config(preview=True)

_FAIL = """
import sys


def fail(message):
    print(f"giving up on {message}", file=sys.stderr, flush=True)
    sys.exit(2)
"""

_SPREAD = """
import multiprocessing


def fan_out(items, func, workers=1):
    if workers > 1:
        with multiprocessing.Pool(workers) as pool:
            return pool.map(func, items)
    return [func(item) for item in items]


def fan_out_always(items, func):
    with multiprocessing.Pool(2) as pool:
        return pool.map(func, items)
"""

#: name -> (the package's modules, the code linting ``app/main.py`` must report; None: nothing)
CASES: dict[str, tuple[dict[str, str], str | None]] = {
    # a Pool task imported from tasks.py calls util.fail(), which calls sys.exit(): the worker ends,
    # the task is lost and map() waits for it forever
    "pool_exit_bad": (
        {
            "app/util.py": _FAIL,
            "app/tasks.py": """
                from app import util


                def check(path):
                    if not path.endswith(".txt"):
                        util.fail(path)
                    return len(path)
            """,
            "app/main.py": """
                import multiprocessing

                from app.tasks import check

                if __name__ == "__main__":
                    with multiprocessing.get_context("fork").Pool(2) as pool:
                        print("submitted", flush=True)
                        print(f"results: {pool.map(check, ['a.txt', 'b.csv'])}", flush=True)
            """,
        },
        "MPL309",
    ),
    "pool_exit_good": (
        {
            "app/util.py": _FAIL,
            "app/tasks.py": """
                from app import util


                def check(path):
                    if not path.endswith(".txt"):
                        try:
                            util.fail(path)
                        except SystemExit:
                            return None
                    return len(path)
            """,
            "app/main.py": """
                import multiprocessing

                from app.tasks import check

                if __name__ == "__main__":
                    with multiprocessing.get_context("fork").Pool(2) as pool:
                        print("submitted", flush=True)
                        print(f"results: {pool.map(check, ['a.txt', 'b.csv'])}", flush=True)
            """,
        },
        None,
    ),
    # an executor task imported from tasks.py calls util.abort(), which calls os._exit(): the worker
    # dies on the spot and the executor is broken
    "executor_kill_bad": (
        {
            "app/util.py": """
                import os


                def abort(path):
                    os._exit(3)
            """,
            "app/tasks.py": """
                from .util import abort


                def parse(path):
                    if not path.endswith(".txt"):
                        abort(path)
                    return len(path)
            """,
            "app/main.py": """
                from concurrent.futures import ProcessPoolExecutor

                from app.tasks import parse

                if __name__ == "__main__":
                    with ProcessPoolExecutor(max_workers=2) as executor:
                        print(f"results: {list(executor.map(parse, ['a.txt', 'b.csv']))}")
            """,
        },
        "MPL309",
    ),
    "executor_kill_good": (
        {
            "app/util.py": """
                def reject(path):
                    raise ValueError(f"not a text file: {path}")
            """,
            "app/tasks.py": """
                from .util import reject


                def parse(path):
                    if not path.endswith(".txt"):
                        reject(path)
                    return len(path)
            """,
            "app/main.py": """
                from concurrent.futures import ProcessPoolExecutor

                from app.tasks import parse

                if __name__ == "__main__":
                    with ProcessPoolExecutor(max_workers=2) as executor:
                        try:
                            print(f"results: {list(executor.map(parse, ['a.txt', 'b.csv']))}")
                        except ValueError as error:
                            print(f"failed: {error}")
            """,
        },
        None,
    ),
    # main.py calls, when imported, boot.prepare(), which calls starter.launch(), which starts a
    # spawn Process: the child re-imports main.py and starts a process while bootstrapping
    "import_start_bad": (
        {
            "app/starter.py": """
                import multiprocessing


                def hello():
                    print("hello from the child", flush=True)


                def launch():
                    child = multiprocessing.get_context("spawn").Process(target=hello)
                    child.start()
                    child.join()
                    print(f"child exitcode: {child.exitcode}", flush=True)
            """,
            "app/boot.py": """
                from app import starter


                def prepare():
                    starter.launch()
            """,
            "app/main.py": """
                from app import boot

                print(f"module body run as: {__name__}", flush=True)
                boot.prepare()
            """,
        },
        "MPL201",
    ),
    "import_start_good": (
        {
            "app/starter.py": """
                import multiprocessing


                def hello():
                    print("hello from the child", flush=True)


                def launch():
                    child = multiprocessing.get_context("spawn").Process(target=hello)
                    child.start()
                    child.join()
                    print(f"child exitcode: {child.exitcode}", flush=True)
            """,
            "app/boot.py": """
                from app import starter


                def prepare():
                    starter.launch()
            """,
            "app/main.py": """
                from app import boot

                print(f"module body run as: {__name__}", flush=True)
                if __name__ == "__main__":
                    boot.prepare()
            """,
        },
        None,
    ),
    # a Pool task calls tasks.total(), which calls spread.fan_out_always(): a Pool in a Pool worker,
    # whose start raises AssertionError, raised again by the outer map() in the parent
    "daemon_pool_bad": (
        {
            "app/spread.py": _SPREAD,
            "app/tasks.py": """
                from app import spread


                def total(text):
                    return sum(spread.fan_out_always(text.split(","), len))
            """,
            "app/main.py": """
                import multiprocessing

                from app import tasks


                def job(text):
                    return tasks.total(text)


                if __name__ == "__main__":
                    with multiprocessing.get_context("fork").Pool(2) as pool:
                        try:
                            print(f"results: {pool.map(job, ['a,bb', 'ccc'])}", flush=True)
                        except AssertionError as error:
                            print(f"failed: {error}", flush=True)
            """,
        },
        "MPL106",
    ),
    # the same task through spread.fan_out(), whose Pool is made only for more than one worker: the
    # task passes none, nothing starts in the worker (the near miss stays silent)
    "daemon_pool_good": (
        {
            "app/spread.py": _SPREAD,
            "app/tasks.py": """
                from app import spread


                def total(text):
                    return sum(spread.fan_out(text.split(","), len))
            """,
            "app/main.py": """
                import multiprocessing

                from app import tasks


                def job(text):
                    return tasks.total(text)


                if __name__ == "__main__":
                    with multiprocessing.get_context("fork").Pool(2) as pool:
                        try:
                            print(f"results: {pool.map(job, ['a,bb', 'ccc'])}", flush=True)
                        except AssertionError as error:
                            print(f"failed: {error}", flush=True)
            """,
        },
        None,
    ),
}

#: The cases promised to hang (killed after ``HANG_TIMEOUT``).
HANGING = {"pool_exit_bad"}


def _write(root: Path, files: dict[str, str]) -> None:
    (root / "pyproject.toml").write_text("")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    for name, text in files.items():
        (root / name).write_text(dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, Run]]]:
    """Every case written and run once, side by side."""
    roots = {}
    for name, (files, _) in CASES.items():
        root = tmp_path_factory.mktemp(name)
        _write(root, files)
        roots[name] = root

    def run(name: str) -> tuple[str, Run]:
        timeout = HANG_TIMEOUT if name in HANGING else TIMEOUT
        argv = [sys.executable, "-m", "app.main"]
        return name, run_script(name, argv, roots[name], timeout)

    with ThreadPoolExecutor(4) as pool:
        done = dict(pool.map(run, sorted(CASES, key=lambda n: n not in HANGING)))
    yield {name: (roots[name], done[name]) for name in CASES}


def _findings(root: Path) -> dict[str, list[tuple[str, int]]]:
    project = Project(str(root))
    found = {}
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        diagnostics = lint_source(str(path), text, CONFIG, project=project, raise_errors=True)
        found[path.relative_to(root).as_posix()] = [(d.code, d.line) for d in diagnostics]
    return found


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_a_pool_task_ended_by_a_third_module_hangs_the_pool(
    runs: dict[str, tuple[Path, Run]],
) -> None:
    _, run = runs["pool_exit_bad"]
    assert run.timed_out, str(run)
    assert _lines(run.stdout) == ["submitted"], str(run)
    assert "giving up on b.csv" in _lines(run.stderr), str(run)


def test_an_executor_task_killed_by_a_third_module_breaks_the_executor(
    runs: dict[str, tuple[Path, Run]],
) -> None:
    _, run = runs["executor_kill_bad"]
    assert run.returncode == 1, str(run)
    assert (
        "concurrent.futures.process.BrokenProcessPool: A process in the process pool was "
        "terminated abruptly while the future was running or pending." in _lines(run.stderr)
    ), str(run)
    assert "results" not in run.stdout, str(run)


@pytest.mark.skipif(
    "spawn" not in multiprocessing.get_all_start_methods(), reason="needs the spawn start method"
)
def test_a_start_through_two_modules_at_import_fails_in_the_spawned_child(
    runs: dict[str, tuple[Path, Run]],
) -> None:
    _, run = runs["import_start_bad"]
    assert run.returncode == 0, str(run)
    assert run.stdout.splitlines() == [
        "module body run as: __main__",
        "module body run as: __mp_main__",
        "child exitcode: 1",
    ], str(run)
    assert "RuntimeError" in run.stderr, str(run)
    assert "An attempt has been made to start a new process before the" in run.stderr, str(run)
    assert "current process has finished its bootstrapping phase." in run.stderr, str(run)


def test_a_pool_started_in_a_pool_worker_by_a_third_module_fails(
    runs: dict[str, tuple[Path, Run]],
) -> None:
    _, run = runs["daemon_pool_bad"]
    assert run.returncode == 0, str(run)
    assert _lines(run.stdout) == ["failed: daemonic processes are not allowed to have children"], (
        str(run)
    )


@pytest.mark.parametrize(
    ("name", "stdout"),
    [
        ("daemon_pool_good", ["results: [3, 3]"]),
        ("pool_exit_good", ["submitted", "results: [5, None]"]),
        ("executor_kill_good", ["failed: not a text file: b.csv"]),
        (
            "import_start_good",
            [
                "module body run as: __main__",
                "module body run as: __mp_main__",
                "hello from the child",
                "child exitcode: 0",
            ],
        ),
    ],
)
def test_the_good_twins_run_clean(
    runs: dict[str, tuple[Path, Run]], name: str, stdout: list[str]
) -> None:
    _, run = runs[name]
    assert run.returncode == 0, str(run)
    assert run.stdout.splitlines() == stdout, str(run)
    assert "Traceback" not in run.stderr, str(run)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_linter_reports_the_bad_package_and_not_the_good(
    runs: dict[str, tuple[Path, Run]], name: str
) -> None:
    root, _ = runs[name]
    code = CASES[name][1]
    found = _findings(root)
    reported = {file: codes for file, codes in found.items() if codes}
    if code is None:
        assert reported == {}
    else:
        assert list(reported) == ["app/main.py"]
        assert {c for c, _ in reported["app/main.py"]} == {code}
