"""Runtime witnesses of the lock, shared-state and manager rules (MPL401-MPL407).

Each bad script in tests/witnesses/ holds exactly one instance of the misuse its rule reports, and the
good script next to it is the same program done right. The tests run every script in a fresh
interpreter (in parallel, once per module), check the exact failure of the bad one (the error text,
a lock that stays taken, the count of lost updates, a change the parent never sees) and that the good
one runs clean, and check that the linter reports the rule on each bad script and not on the good one.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from mplint.config import Config
from mplint.engine import lint_source

if os.name != "posix":
    pytest.skip(
        "the witnesses rely on POSIX signals and process groups",
        allow_module_level=True,
    )

from .witness_support import WITNESS_DIR, Run, run_witness

#: Each rule's (bad, good) witness pairs.
WITNESSES: dict[str, list[tuple[str, str]]] = {
    "MPL401": [
        ("MPL401_bad.py", "MPL401_good.py"),
        ("MPL401_bad_timeout.py", "MPL401_good_timeout.py"),
        ("MPL401_bad_negative_timeout.py", "MPL401_good_negative_timeout.py"),
    ],
    "MPL402": [
        ("MPL402_bad.py", "MPL402_good.py"),
        ("MPL402_bad_manager.py", "MPL402_good_manager.py"),
    ],
    "MPL403": [
        ("MPL403_bad.py", "MPL403_good.py"),
        ("MPL403_bad_namespace.py", "MPL403_good_namespace.py"),
    ],
    "MPL404": [
        ("MPL404_bad.py", "MPL404_good.py"),
        ("MPL404_bad_global.py", "MPL404_good_global.py"),
        ("MPL404_bad_attribute.py", "MPL404_good_attribute.py"),
    ],
    "MPL405": [
        ("MPL405_bad.py", "MPL405_good.py"),
        ("MPL405_bad_local.py", "MPL405_good.py"),
        ("MPL405_bad_threading.py", "MPL405_good_threading.py"),
    ],
    "MPL406": [
        ("MPL406_bad.py", "MPL406_good.py"),
        ("MPL406_bad_shutdown.py", "MPL406_good_shutdown.py"),
    ],
    "MPL407": [
        ("MPL407_bad.py", "MPL407_good.py"),
        ("MPL407_bad_proxy.py", "MPL407_good_proxy.py"),
    ],
}

#: Lines each good script prints on stdout.
GOOD_OUTPUT: dict[str, list[str]] = {
    "MPL401_good.py": ["first worker exitcode: 1", "saved 2", "second worker exitcode: 0"],
    "MPL401_good_timeout.py": [
        "parent acquired: False",
        "lock free while the child holds it: False",
        "child exitcode: 0",
    ],
    "MPL401_good_negative_timeout.py": ["acquired: True", "waited for the child: True"],
    "MPL402_good.py": ["expected: 80000", "counter: 80000", "lost updates: False"],
    "MPL402_good_manager.py": ["expected: 1200", "count: 1200", "lost updates: False"],
    "MPL403_good.py": ["items: [1]"],
    "MPL403_good_namespace.py": ["namespace data: [1]"],
    "MPL404_good.py": ["results: [0, 1, 4, 9]"],
    "MPL404_good_global.py": ["counter: 4"],
    "MPL404_good_attribute.py": ["result: 49", "exitcode: 0"],
    "MPL405_good.py": ["overlapping critical sections: 0"],
    "MPL405_good_threading.py": ["in the child", "exitcode: 0"],
    "MPL406_good.py": ["inside: {'a': 1}", "after: {'a': 1, 'b': 2}"],
    "MPL406_good_shutdown.py": ["items: [1]"],
    "MPL407_good.py": ["child got the lock", "child exitcode: 0"],
    "MPL407_good_proxy.py": ["result: done"],
}

#: Good scripts whose first worker fails on purpose (the point is what happens next).
EXPECTED_TRACEBACK = frozenset({"MPL401_good.py"})

#: Scripts that need a start method the platform may not offer.
NEEDS_START_METHOD: dict[str, str] = {
    "MPL405_bad.py": "spawn",
    "MPL405_good.py": "spawn",
    "MPL405_bad_threading.py": "spawn",
    "MPL405_good_threading.py": "spawn",
    "MPL407_bad.py": "spawn",
    "MPL407_good.py": "spawn",
}


def all_witness_files() -> list[str]:
    return sorted({name for found in WITNESSES.values() for pair in found for name in pair})


def pairs() -> list[tuple[str, str, str]]:
    return [(code, bad, good) for code, found in WITNESSES.items() for bad, good in found]


def runnable(name: str) -> bool:
    method = NEEDS_START_METHOD.get(name)
    return method is None or method in multiprocessing.get_all_start_methods()


class Runs:
    """The witness runs, started in parallel; indexing waits for one of them."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._futures: dict[str, Future[Run]] = {
            name: pool.submit(run_witness, name) for name in all_witness_files() if runnable(name)
        }

    def __getitem__(self, name: str) -> Run:
        if name not in self._futures:
            pytest.skip(f"{name} needs the {NEEDS_START_METHOD[name]!r} start method")
        return self._futures[name].result()


@pytest.fixture(scope="module")
def runs() -> Iterator[Runs]:
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="witness") as pool:
        yield Runs(pool)


def assert_clean(run: Run) -> None:
    """Exit status 0, no traceback (unless one is part of the story), the expected lines."""
    assert not run.timed_out, str(run)
    assert run.returncode == 0, str(run)
    if run.name not in EXPECTED_TRACEBACK:
        assert "Traceback" not in run.stderr, str(run)
    lines = run.stdout.splitlines()
    for expected in GOOD_OUTPUT[run.name]:
        assert expected in lines, f"missing {expected!r}\n{run}"


def assert_died_with(run: Run, error: str) -> None:
    """The script itself died (exit status 1) and ``error`` is a line of its stderr."""
    assert not run.timed_out, str(run)
    assert run.returncode == 1, str(run)
    assert error in run.stderr.splitlines(), f"missing {error!r}\n{run}"


# --- the table itself ---------------------------------------------------------------


def test_witness_table_matches_files() -> None:
    on_disk = sorted(p.name for code in WITNESSES for p in WITNESS_DIR.glob(f"{code}_*.py"))
    assert all_witness_files() == on_disk
    assert sorted(GOOD_OUTPUT) == sorted({good for _, _, good in pairs()})
    for code, bad, good in pairs():
        assert bad.startswith(f"{code}_bad") and good.startswith(f"{code}_good")


@pytest.mark.parametrize("name", all_witness_files())
def test_witness_files_start_with_a_docstring(name: str) -> None:
    tree = ast.parse((WITNESS_DIR / name).read_text(encoding="utf-8"), filename=name)
    docstring = ast.get_docstring(tree)
    assert docstring, f"{name} must start with a docstring"
    assert docstring.startswith(name.split("_", 1)[0])


@pytest.mark.parametrize(("code", "bad", "good"), pairs())
def test_linter_reports_bad_and_not_good(code: str, bad: str, good: str) -> None:
    config = Config(select=(code,), preview=True)
    for name, expected in ((bad, 1), (good, 0)):
        text = (WITNESS_DIR / name).read_text(encoding="utf-8")
        found = [d for d in lint_source(name, text, config, raise_errors=True) if d.code == code]
        assert len(found) == expected, f"{name}: {found}"


@pytest.mark.parametrize("name", sorted(GOOD_OUTPUT))
def test_good_scripts_run_clean(runs: Runs, name: str) -> None:
    assert_clean(runs[name])


# --- MPL401 lock-not-exception-safe -----------------------------------------------


def test_MPL401_exception_keeps_the_lock(runs: Runs) -> None:
    run = runs["MPL401_bad.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("first worker exitcode") == "1", str(run)
    assert "ValueError: bad record -1" in run.stderr.splitlines(), str(run)
    # the survivor waits for a lock nobody will release
    assert run.value("second worker finished within 2 s") == "False", str(run)
    assert "saved 2" not in run.stdout, str(run)


def test_MPL401_ignored_timeout_releases_the_childs_lock(runs: Runs) -> None:
    run = runs["MPL401_bad_timeout.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("lock free while the child holds it") == "True", str(run)


def test_MPL401_negative_timeout_does_not_wait(runs: Runs) -> None:
    run = runs["MPL401_bad_negative_timeout.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("acquired") == "False", str(run)
    assert run.value("waited less than 0.1 s") == "True", str(run)


# --- MPL402 nonatomic-shared-update -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [("MPL402_bad.py", "counter", 80_000), ("MPL402_bad_manager.py", "count", 1_200)],
)
def test_MPL402_concurrent_updates_are_lost(runs: Runs, name: str, key: str, expected: int) -> None:
    run = runs[name]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("expected") == str(expected), str(run)
    assert int(run.value(key)) < expected, str(run)  # silently lost, no error
    assert run.stderr == "", str(run)


# --- MPL403 manager-nested-mutation -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"), [("MPL403_bad.py", "items"), ("MPL403_bad_namespace.py", "namespace data")]
)
def test_MPL403_nested_change_is_lost(runs: Runs, name: str, key: str) -> None:
    run = runs[name]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value(key) == "[]", str(run)
    assert run.stderr == "", str(run)


# --- MPL404 child-state-not-propagated ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "key", "unchanged"),
    [
        ("MPL404_bad.py", "results", "[]"),
        ("MPL404_bad_global.py", "counter", "0"),
        ("MPL404_bad_attribute.py", "result", "None"),
    ],
)
def test_MPL404_parent_keeps_its_old_value(runs: Runs, name: str, key: str, unchanged: str) -> None:
    run = runs[name]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value(key) == unchanged, str(run)
    assert run.stderr == "", str(run)


# --- MPL405 lock-not-shared ------------------------------------------------------------


@pytest.mark.parametrize("name", ["MPL405_bad.py", "MPL405_bad_local.py"])
def test_MPL405_critical_sections_overlap(runs: Runs, name: str) -> None:
    run = runs[name]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert int(run.value("overlapping critical sections")) > 0, str(run)


def test_MPL405_threading_lock_does_not_pickle(runs: Runs) -> None:
    run = runs["MPL405_bad_threading.py"]
    assert_died_with(run, "TypeError: cannot pickle '_thread.lock' object")
    assert "in the child" not in run.stdout, str(run)


# --- MPL406 manager-used-after-shutdown -----------------------------------------------


def test_MPL406_proxy_after_with_block(runs: Runs) -> None:
    run = runs["MPL406_bad.py"]
    assert_died_with(run, "BrokenPipeError: [Errno 32] Broken pipe")
    assert run.value("inside") == "{'a': 1}", str(run)
    assert run.values("after") == [], str(run)


def test_MPL406_proxy_after_shutdown(runs: Runs) -> None:
    run = runs["MPL406_bad_shutdown.py"]
    assert_died_with(run, "FileNotFoundError: [Errno 2] No such file or directory")
    assert run.values("items") == [], str(run)


# --- MPL407 temporary-shared-object-argument -------------------------------------------


def test_MPL407_inline_lock_is_collected(runs: Runs) -> None:
    run = runs["MPL407_bad.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("child exitcode") == "1", str(run)
    assert "FileNotFoundError: [Errno 2] No such file or directory" in run.stderr.splitlines()
    assert "in __setstate__" in run.stderr, str(run)  # multiprocessing/synchronize.py, in the child
    assert "child got the lock" not in run.stdout, str(run)


def test_MPL407_inline_proxy_is_freed(runs: Runs) -> None:
    run = runs["MPL407_bad_proxy.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("timed out") == "True", str(run)
    assert "multiprocessing.managers.RemoteError: " in run.stderr.splitlines(), str(run)
    assert "KeyError: '" in run.stderr, str(run)  # the manager no longer knows the object
