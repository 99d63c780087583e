"""Runtime witnesses for the start-method, main-guard and pickling rules (MPL202-MPL208).

Each bad script in tests/witnesses/ shows one failure the rule promises (the exact error, a hang,
or a measurable wrong result); its good counterpart is the same program fixed and runs clean. The
scripts run in parallel, once per session, each in its own process group (see witness_support).
The linter must report the rule's code on every bad script and stay silent on the good ones.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from mplint.config import Config
from mplint.engine import lint_source

from .witness_support import TIMEOUT, WITNESS_DIR, Run, run_witness

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX process groups", allow_module_level=True)

#: rule -> (bad script, good script) pairs.
WITNESSES: dict[str, list[tuple[str, str]]] = {
    "MPL202": [
        ("MPL202_bad.py", "MPL202_good.py"),
        ("MPL202_bad_late.py", "MPL202_good_late.py"),
        ("MPL202_bad_executor.py", "MPL202_good_executor.py"),
    ],
    "MPL203": [
        ("MPL203_bad.py", "MPL203_good.py"),
        ("MPL203_bad_apply_async.py", "MPL203_good_apply_async.py"),
        ("MPL203_bad_process.py", "MPL203_good_process.py"),
        ("MPL203_bad_executor.py", "MPL203_good_executor.py"),
    ],
    "MPL204": [
        ("MPL204_bad.py", "MPL204_good.py"),
        ("MPL204_bad_pool.py", "MPL204_good_pool.py"),
    ],
    "MPL205": [
        ("MPL205_bad.py", "MPL205_good.py"),
        ("MPL205_bad_queue.py", "MPL205_good_queue.py"),
        ("MPL205_bad_self.py", "MPL205_good_self.py"),
    ],
    "MPL206": [("MPL206_bad.py", "MPL206_good.py")],
    "MPL207": [("MPL207_bad.py", "MPL207_good.py")],
    "MPL208": [
        ("MPL208_bad.py", "MPL208_good.py"),
        ("MPL208_bad_seed.py", "MPL208_good_seed.py"),
    ],
}

HANGING = frozenset({"MPL204_bad_pool.py"})
HANG_TIMEOUT = 6.0

#: Start methods a script needs (skipped where the platform lacks them).
NEEDS: dict[str, tuple[str, ...]] = {
    "MPL202_bad_executor.py": ("fork",),
    "MPL206_bad.py": ("fork", "spawn"),
    "MPL207_bad.py": ("fork",),
    "MPL207_good.py": ("forkserver",),
}

#: Lines each good script prints on stdout.
GOOD_OUTPUT: dict[str, list[str]] = {
    "MPL202_good.py": ["work ran", "child exitcode: 0"],
    "MPL202_good_late.py": ["queue created", "received: hello"],
    "MPL202_good_executor.py": ["result: [0, 1, 4, 9]"],
    "MPL203_good.py": ["result: [0, 1, 4, 9]"],
    "MPL203_good_apply_async.py": ["results: [42]"],
    "MPL203_good_process.py": ["work ran", "child exitcode: 0"],
    "MPL203_good_executor.py": ["result: 11"],
    "MPL204_good.py": ["work ran", "child exitcode: 0"],
    "MPL204_good_pool.py": ["result: [0, 1, 4, 9]"],
    "MPL205_good.py": ["result: 9"],
    "MPL205_good_queue.py": ["put returned", "child used the lock: True", "child exitcode: 0"],
    "MPL205_good_self.py": ["result: [0, 3, 6, 9]"],
    "MPL206_good.py": ["work ran", "child exitcode: 0"],
    "MPL207_good.py": ["child got the lock", "child still blocked after 2s: False"],
    "MPL208_good.py": ["parent mode: production", "worker modes: ['production', 'production']"],
    "MPL208_good_seed.py": ["same draws: True"],
}

ALREADY_SET = "RuntimeError: context has already been set"


def _names() -> list[str]:
    return sorted({name for pairs in WITNESSES.values() for pair in pairs for name in pair})


def _runnable(name: str) -> bool:
    available = multiprocessing.get_all_start_methods()
    return all(method in available for method in NEEDS.get(name, ()))


class Runs:
    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._futures: dict[str, Future[Run]] = {}
        for name in sorted(_names(), key=lambda n: n not in HANGING):
            if _runnable(name):
                timeout = HANG_TIMEOUT if name in HANGING else TIMEOUT
                self._futures[name] = pool.submit(run_witness, name, timeout)

    def __getitem__(self, name: str) -> Run:
        if name not in self._futures:
            pytest.skip(f"{name} needs the start methods {NEEDS.get(name)}")
        return self._futures[name].result()


@pytest.fixture(scope="module")
def runs() -> Iterator[Runs]:
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="witness") as pool:
        yield Runs(pool)


def assert_clean(run: Run) -> None:
    assert not run.timed_out, str(run)
    assert run.returncode == 0, str(run)
    assert "Traceback" not in run.stderr and "Error" not in run.stderr, str(run)
    lines = run.stdout.splitlines()
    for expected in GOOD_OUTPUT[run.name]:
        assert expected in lines, f"missing {expected!r}\n{run}"


def assert_died_with(run: Run, error: str) -> None:
    """The script died (exit status 1) with ``error`` as a line of its stderr."""
    assert not run.timed_out, str(run)
    assert run.returncode == 1, str(run)
    assert error in run.stderr.splitlines(), f"missing {error!r}\n{run}"


# --- the table and the linter agree with the scripts ------------------------------------------------------


def test_witness_table_matches_files() -> None:
    on_disk = sorted(p.name for code in WITNESSES for p in WITNESS_DIR.glob(f"{code}_*.py"))
    assert _names() == on_disk
    assert sorted(GOOD_OUTPUT) == sorted({g for pairs in WITNESSES.values() for _, g in pairs})


@pytest.mark.parametrize("name", _names())
def test_witness_starts_with_its_rule(name: str) -> None:
    import ast

    docstring = ast.get_docstring(ast.parse((WITNESS_DIR / name).read_text()))
    assert docstring is not None and docstring.startswith(name.split("_", 1)[0])


@pytest.mark.parametrize(
    ("code", "bad", "good"),
    [(code, bad, good) for code, pairs in WITNESSES.items() for bad, good in pairs],
)
def test_linter_flags_bad_and_not_good(code: str, bad: str, good: str) -> None:
    config = Config(select=(code,), preview=True)
    found = lint_source(bad, (WITNESS_DIR / bad).read_text(), config, raise_errors=True)
    assert [d for d in found if d.code == code], f"{code} not reported on {bad}"
    found = lint_source(good, (WITNESS_DIR / good).read_text(), config, raise_errors=True)
    assert not [d for d in found if d.code == code], f"{code} reported on {good}: {found}"


@pytest.mark.parametrize("name", sorted(GOOD_OUTPUT))
def test_good_scripts_run_clean(runs: Runs, name: str) -> None:
    assert_clean(runs[name])


# --- MPL202 start-method-misconfigured ----------------------------------------------------------------


def test_MPL202_import_time_call_kills_spawned_child(runs: Runs) -> None:
    run = runs["MPL202_bad.py"]
    assert not run.timed_out and run.returncode == 0, str(run)  # the parent is not told
    assert run.value("child exitcode") == "1", str(run)
    assert ALREADY_SET in run.stderr.splitlines(), str(run)
    assert "work ran" not in run.stdout, str(run)


def test_MPL202_call_after_queue_raises(runs: Runs) -> None:
    run = runs["MPL202_bad_late.py"]
    assert_died_with(run, ALREADY_SET)
    assert run.stdout.splitlines() == ["queue created"], str(run)


def test_MPL202_max_tasks_per_child_with_fork(runs: Runs) -> None:
    run = runs["MPL202_bad_executor.py"]
    assert_died_with(
        run,
        "ValueError: max_tasks_per_child is incompatible with the 'fork' multiprocessing start "
        "method; supply a different mp_context.",
    )
    assert run.values("result") == [], str(run)


# --- MPL203 unpicklable-callable ----------------------------------------------------------------------


def _local_object_error(run: Run, name: str) -> None:
    lines = run.stderr.splitlines()
    expected = {
        f"AttributeError: Can't pickle local object '{name}'",
        f"AttributeError: Can't get local object '{name}'",  # 3.13 wording
    }
    assert expected & set(lines), str(run)


def test_MPL203_lambda_to_pool_map(runs: Runs) -> None:
    run = runs["MPL203_bad.py"]
    assert not run.timed_out and run.returncode == 1, str(run)
    _local_object_error(run, "main.<locals>.<lambda>")
    assert run.values("result") == [], str(run)


def test_MPL203_lambda_to_apply_async_is_lost_silently(runs: Runs) -> None:
    run = runs["MPL203_bad_apply_async.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("results") == "[]", str(run)
    assert run.stderr == "", str(run)


def test_MPL203_lambda_target_under_spawn(runs: Runs) -> None:
    run = runs["MPL203_bad_process.py"]
    assert not run.timed_out and run.returncode == 1, str(run)
    assert any(
        line.startswith("_pickle.PicklingError: Can't pickle <function <lambda> at 0x")
        and line.endswith(": attribute lookup <lambda> on __main__ failed")
        for line in run.stderr.splitlines()
    ), str(run)
    assert "work ran" not in run.stdout, str(run)


def test_MPL203_local_function_to_executor(runs: Runs) -> None:
    run = runs["MPL203_bad_executor.py"]
    assert not run.timed_out and run.returncode == 1, str(run)
    _local_object_error(run, "main.<locals>.shift")


# --- MPL204 worker-defined-under-main-guard --------------------------------------------------------------


def _cannot_get(run: Run, name: str) -> bool:
    prefix = f"AttributeError: Can't get attribute '{name}' on <module '__mp_main__' from '"
    return any(
        line.startswith(prefix) and line.endswith(f"{run.name}'>")
        for line in run.stderr.splitlines()
    )


def test_MPL204_guarded_target_kills_child(runs: Runs) -> None:
    run = runs["MPL204_bad.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("child exitcode") == "1", str(run)
    assert _cannot_get(run, "work"), str(run)
    assert "work ran" not in run.stdout, str(run)


def test_MPL204_guarded_pool_task_hangs(runs: Runs) -> None:
    run = runs["MPL204_bad_pool.py"]
    assert run.timed_out, f"expected a hang\n{run}"
    assert run.values("result") == [], str(run)
    assert _cannot_get(run, "square"), str(run)


# --- MPL205 unpicklable-argument -------------------------------------------------------------------------

LOCK_INHERITANCE = (
    "RuntimeError: Lock objects should only be shared between processes through inheritance"
)


def test_MPL205_lock_as_task_argument(runs: Runs) -> None:
    run = runs["MPL205_bad.py"]
    assert_died_with(run, LOCK_INHERITANCE)
    assert run.values("result") == [], str(run)


def test_MPL205_lock_put_on_queue_is_dropped(runs: Runs) -> None:
    run = runs["MPL205_bad_queue.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.stdout.splitlines() == ["put returned", "received: nothing (queue.Empty)"], str(run)
    assert LOCK_INHERITANCE in run.stderr.splitlines(), str(run)  # printed by the feeder thread


def test_MPL205_bound_method_pickles_the_pool(runs: Runs) -> None:
    run = runs["MPL205_bad_self.py"]
    assert_died_with(
        run, "NotImplementedError: pool objects cannot be passed between processes or pickled"
    )
    assert run.values("result") == [], str(run)


# --- MPL206 mixed-context-objects ------------------------------------------------------------------------


def test_MPL206_fork_lock_to_spawn_process(runs: Runs) -> None:
    run = runs["MPL206_bad.py"]
    assert_died_with(
        run,
        "RuntimeError: A SemLock created in a fork context is being shared with a process in a "
        "spawn context. This is not supported. Please use the same context to create "
        "multiprocessing objects and Process.",
    )
    assert "work ran" not in run.stdout, str(run)


# --- MPL207 fork-with-threads ----------------------------------------------------------------------------


def test_MPL207_forked_child_deadlocks_on_inherited_lock(runs: Runs) -> None:
    run = runs["MPL207_bad.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("child still blocked after 2s") == "True", str(run)
    assert "child got the lock" not in run.stdout, str(run)


# --- MPL208 implicit-fork-state --------------------------------------------------------------------------


def test_MPL208_spawned_workers_see_import_time_value(runs: Runs) -> None:
    run = runs["MPL208_bad.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("parent mode") == "production", str(run)
    assert run.value("worker modes") == "['default', 'default']", str(run)


def test_MPL208_parent_seed_does_not_reach_workers(runs: Runs) -> None:
    run = runs["MPL208_bad_seed.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("same draws") == "False", str(run)
