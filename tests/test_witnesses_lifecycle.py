"""Runtime witnesses of the process lifecycle rules: the checks their headers cannot say.

Each script's header (tests/witness_support.py) already pins its outcome and output; these tests
compare two of its printed values (which process ran the work), or a duration it measured, on the
same runs as tests/test_witnesses.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .witness_support import Runs, session_runs

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX signals and process groups", allow_module_level=True)


@pytest.fixture(scope="session")
def runs(request: pytest.FixtureRequest) -> Iterator[Runs]:
    yield from session_runs(request.session)


# --- MPL101 bad-process-target ---------------------------------------------------------------------


@pytest.mark.parametrize("witness", ["MPL101_bad.py"])
def test_MPL101_called_target_runs_only_in_the_parent(runs: Runs, witness: str) -> None:
    run = runs[witness]
    assert run.values("work ran in pid") == [run.value("parent pid")], str(run)


@pytest.mark.parametrize(
    "witness", ["MPL101_bad_none.py", "MPL101_bad_apply_async.py", "MPL101_bad_submit.py"]
)
def test_MPL101_called_function_runs_once_in_the_parent(runs: Runs, witness: str) -> None:
    run = runs[witness]
    # value() requires exactly one line; the work prints "<pid> with n=<n>".
    assert run.value("work ran in pid").startswith(run.value("parent pid") + " "), str(run)


@pytest.mark.parametrize(
    "witness", ["MPL101_good.py", "MPL101_good_apply_async.py", "MPL101_good_submit.py"]
)
def test_MPL101_fixed_runs_the_target_in_a_child(runs: Runs, witness: str) -> None:
    run = runs[witness]
    assert run.value("work ran in pid") != run.value("parent pid"), str(run)


# --- MPL104 process-lifecycle-order ----------------------------------------------------------------


@pytest.mark.parametrize("witness", ["MPL104_bad_run.py"])
def test_MPL104_run_runs_in_the_parent(runs: Runs, witness: str) -> None:
    run = runs[witness]
    assert run.value("work ran in pid") == run.value("parent pid"), str(run)


@pytest.mark.parametrize("witness", ["MPL104_good.py"])
def test_MPL104_fixed_runs_in_a_child(runs: Runs, witness: str) -> None:
    run = runs[witness]
    assert run.value("work ran in pid") != run.value("parent pid"), str(run)


# --- MPL107 start-join-serialized ------------------------------------------------------------------


@pytest.mark.parametrize("witness", ["MPL107_bad.py"])
def test_MPL107_serialized_processes_take_the_sum_of_their_times(runs: Runs, witness: str) -> None:
    run = runs[witness]
    assert float(run.value("elapsed")) >= 4 * 0.5, str(run)  # 4 jobs of 0.5 s, one at a time


@pytest.mark.parametrize("witness", ["MPL107_good.py"])
def test_MPL107_fixed_processes_overlap(runs: Runs, witness: str) -> None:
    run = runs[witness]
    assert int(run.value("max concurrent")) > 1, str(run)


# --- MPL108 unsafe-terminate -----------------------------------------------------------------------


@pytest.mark.parametrize("witness", ["MPL108_bad.py"])
def test_MPL108_unjoined_terminated_child_is_a_zombie(runs: Runs, witness: str) -> None:
    # The script forces the fork context (its header pins "start method: fork"), so the child's
    # parent is the script itself whatever the platform's default; only the /proc reading is Linux's.
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to read a process state")
    run = runs[witness]
    assert run.value("child state before join") == "Z", str(run)
