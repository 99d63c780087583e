"""Runtime witnesses of the process lifecycle rules: MPL102, MPL103, MPL104, MPL106, MPL107, MPL109.

Each bad script in tests/witnesses/ holds exactly one instance of the misuse and shows its failure
when run (the exact error, a hang, or a measurable loss of parallelism); each good script is the
same program fixed and runs clean. The linter must report the rule on every bad script and stay
silent on the good ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from mplint.config import Config
from mplint.engine import lint_source

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX process groups", allow_module_level=True)

from .witness_support import WITNESS_DIR, Run, run_witness

WITNESSES: dict[str, list[tuple[str, str]]] = {
    "MPL102": [
        ("MPL102_bad.py", "MPL102_good.py"),
        ("MPL102_bad_apply_async.py", "MPL102_good_apply_async.py"),
        ("MPL102_bad_initargs.py", "MPL102_good_initargs.py"),
        ("MPL102_bad_pool_initargs.py", "MPL102_good_pool_initargs.py"),
    ],
    "MPL103": [("MPL103_bad.py", "MPL103_good.py")],
    "MPL104": [
        ("MPL104_bad.py", "MPL104_good.py"),
        ("MPL104_bad_run.py", "MPL104_good.py"),
        ("MPL104_bad_close.py", "MPL104_good.py"),
        ("MPL104_bad_after_close.py", "MPL104_good.py"),
    ],
    "MPL106": [
        ("MPL106_bad.py", "MPL106_good.py"),
        ("MPL106_bad_daemon.py", "MPL106_good_daemon.py"),
    ],
    "MPL107": [("MPL107_bad.py", "MPL107_good.py")],
    "MPL109": [
        ("MPL109_bad.py", "MPL109_good.py"),
        ("MPL109_bad_daemon_first.py", "MPL109_good.py"),
    ],
}

HANGING = frozenset({"MPL102_bad_pool_initargs.py"})
HANG_TIMEOUT = 6.0
TIMEOUT = 20.0

# Lines each good script prints on stdout.
GOOD_OUTPUT: dict[str, list[str]] = {
    "MPL102_good.py": ["hello: egon", "child exitcode: 0"],
    "MPL102_good_apply_async.py": ["result: 6"],
    "MPL102_good_initargs.py": ["initialized: 5", "result: 9"],
    "MPL102_good_pool_initargs.py": ["initialized: 5", "result: 9"],
    "MPL103_good.py": ["round 0 exitcode: 0", "round 1 exitcode: 0", "round 2 exitcode: 0"],
    "MPL104_good.py": ["child exitcode: 0", "closed"],
    "MPL106_good.py": ["result: [[1, 4], [9, 16]]"],
    "MPL106_good_daemon.py": ["leaf ran", "supervisor exitcode: 0"],
    "MPL107_good.py": [],
    "MPL109_good.py": ["created", "worker 1 ran", "daemon: True", "child exitcode: 0"],
}

DAEMON_ERROR = "AssertionError: daemonic processes are not allowed to have children"


def _names() -> list[str]:
    return sorted({name for pairs in WITNESSES.values() for pair in pairs for name in pair})


def _bad_files() -> list[str]:
    return sorted({bad for pairs in WITNESSES.values() for bad, _ in pairs})


def _good_files() -> list[str]:
    return sorted({good for pairs in WITNESSES.values() for _, good in pairs})


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, Future[Run]]]:
    """Every witness of this module, run in parallel (the hanging ones first)."""
    names = sorted(_names(), key=lambda n: n not in HANGING)
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="witness") as pool:
        yield {
            name: pool.submit(run_witness, name, HANG_TIMEOUT if name in HANGING else TIMEOUT)
            for name in names
        }


def _died_with(run: Run, error: str) -> None:
    """The script itself died (exit status 1) and ``error`` starts a line of its stderr."""
    assert not run.timed_out, str(run)
    assert run.returncode == 1, str(run)
    assert any(line.startswith(error) for line in run.stderr.splitlines()), (
        f"missing {error!r}\n{run}"
    )


# --- the table ---------------------------------------------------------------------------------------
def test_witness_files_match_the_table() -> None:
    on_disk = sorted(p.name for code in WITNESSES for p in WITNESS_DIR.glob(f"{code}_*.py"))
    assert on_disk == _names()
    assert sorted(GOOD_OUTPUT) == _good_files()
    for code, pairs in WITNESSES.items():
        for bad, good in pairs:
            assert bad.startswith(f"{code}_bad") and good.startswith(f"{code}_good")


@pytest.mark.parametrize("name", _names())
def test_witness_starts_with_a_docstring_naming_its_rule(name: str) -> None:
    import ast

    docstring = ast.get_docstring(ast.parse((WITNESS_DIR / name).read_text(encoding="utf-8")))
    assert docstring and docstring.startswith(name.split("_", 1)[0]), name


# --- the linter agrees with the runtime -------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "name", "bad"),
    [
        (code, name, name in _bad_files())
        for code, pairs in WITNESSES.items()
        for name in sorted({n for pair in pairs for n in pair})
    ],
)
def test_linter_flags_bad_and_not_good(code: str, name: str, bad: bool) -> None:
    path = WITNESS_DIR / name
    found = lint_source(
        str(path),
        path.read_text(encoding="utf-8"),
        Config(select=(code,), preview=True),
        raise_errors=True,
    )
    codes = [d.code for d in found]
    if bad:
        assert codes.count(code) == 1, f"{name}: expected one {code}, got {found}"
    else:
        assert code not in codes, f"{name}: unexpected {found}"


# --- MPL102 args-not-a-tuple -------------------------------------------------------------------------
def test_MPL102_string_args_are_split_into_characters(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL102_bad.py"].result()
    assert not run.timed_out and run.returncode == 0, str(run)  # the parent is not told
    assert run.values("hello") == [], str(run)
    assert run.value("child exitcode") == "1", str(run)
    assert (
        "TypeError: greet() takes 1 positional argument but 4 were given" in run.stderr.splitlines()
    )


def test_MPL102_int_args_to_apply_async(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL102_bad_apply_async.py"].result()
    _died_with(run, "TypeError: __main__.add() argument after * must be an iterable, not int")
    assert run.values("result") == [], str(run)


def test_MPL102_int_initargs_break_the_executor(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL102_bad_initargs.py"].result()
    _died_with(
        run,
        "concurrent.futures.process.BrokenProcessPool: A process in the process pool was "
        "terminated abruptly while the future was running or pending.",
    )
    assert "TypeError: __main__.init() argument after * must be an iterable, not int" in run.stderr
    assert run.values("result") == [], str(run)


def test_MPL102_int_initargs_hang_the_pool(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL102_bad_pool_initargs.py"].result()
    assert run.timed_out, f"expected a hang\n{run}"
    assert run.values("result") == [] and run.values("initialized") == [], str(run)
    error = "TypeError: __main__.init() argument after * must be an iterable, not int"
    assert run.stderr.count(error) >= 2, str(run)  # worker after worker dies


# --- MPL103 process-started-twice --------------------------------------------------------------------
def test_MPL103_second_start_asserts(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL103_bad.py"].result()
    _died_with(run, "AssertionError: cannot start a process twice")
    assert run.stdout.splitlines() == ["round 0 exitcode: 0"], str(run)


# --- MPL104 process-lifecycle-order ------------------------------------------------------------------
def test_MPL104_join_before_start(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL104_bad.py"].result()
    _died_with(run, "AssertionError: can only join a started process")
    assert run.stdout == "", str(run)


def test_MPL104_run_runs_in_the_parent(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL104_bad_run.py"].result()
    _died_with(run, "AssertionError: can only join a started process")
    assert run.value("work ran in pid") == run.value("parent pid"), str(run)


def test_MPL104_close_while_running(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL104_bad_close.py"].result()
    _died_with(
        run,
        "ValueError: Cannot close a process while it is still running. "
        "You should first call join() or terminate().",
    )
    assert run.values("closed") == [] and "closed" not in run.stdout, str(run)


def test_MPL104_use_after_close(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL104_bad_after_close.py"].result()
    _died_with(run, "ValueError: process object is closed")
    assert run.stdout.splitlines() == ["closed"], str(run)


def test_MPL104_fixed_runs_in_a_child(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL104_good.py"].result()
    assert run.value("work ran in pid") != run.value("parent pid"), str(run)


# --- MPL106 daemon-process-spawns-children -----------------------------------------------------------
def test_MPL106_pool_in_pool(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL106_bad.py"].result()
    _died_with(run, DAEMON_ERROR)
    assert run.values("result") == [], str(run)


def test_MPL106_daemon_process_child(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL106_bad_daemon.py"].result()
    assert not run.timed_out and run.returncode == 0, str(run)  # the parent is not told
    assert run.value("supervisor exitcode") == "1", str(run)
    assert DAEMON_ERROR in run.stderr.splitlines(), str(run)
    assert "leaf ran" not in run.stdout, str(run)


# --- MPL107 start-join-serialized --------------------------------------------------------------------
def test_MPL107_serialized_processes_never_overlap(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL107_bad.py"].result()
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("max concurrent") == "1", str(run)
    assert float(run.value("elapsed")) >= 4 * 0.5, str(run)


def test_MPL107_fixed_processes_overlap(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL107_good.py"].result()
    assert int(run.value("max concurrent")) > 1, str(run)


# --- MPL109 process-subclass-no-super-init -----------------------------------------------------------
def test_MPL109_missing_base_init(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL109_bad.py"].result()
    _died_with(run, "AttributeError: 'Worker' object has no attribute '_closed'")
    assert run.stdout.splitlines() == ["created"], str(run)


def test_MPL109_daemon_before_base_init(runs: dict[str, Future[Run]]) -> None:
    run = runs["MPL109_bad_daemon_first.py"].result()
    _died_with(run, "AttributeError: 'Worker' object has no attribute '_popen'")
    assert run.stdout == "", str(run)


# --- every good script runs clean --------------------------------------------------------------------
@pytest.mark.parametrize("name", _good_files())
def test_fixed_script_runs_clean(runs: dict[str, Future[Run]], name: str) -> None:
    run = runs[name].result()
    assert not run.timed_out, str(run)
    assert run.returncode == 0, str(run)
    assert "Traceback" not in run.stderr and "Error" not in run.stderr, str(run)
    lines = run.stdout.splitlines()
    for expected in GOOD_OUTPUT[name]:
        assert expected in lines, f"missing {expected!r}\n{run}"
