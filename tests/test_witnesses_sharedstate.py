"""Runtime witnesses of the lock and shared-state rules: the checks their headers cannot say.

Each script's header (tests/witness_support.py) already pins its outcome and output; these tests
compare counts that vary from run to run (lost updates, overlapping critical sections) with a bound,
on the same runs as tests/test_witnesses.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .witness_support import Runs, session_runs

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX signals and process groups", allow_module_level=True)


@pytest.fixture(scope="session")
def runs(request: pytest.FixtureRequest) -> Iterator[Runs]:
    yield from session_runs(request.session)


# --- MPL402 nonatomic-shared-update ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("witness", "key", "expected"),
    [("MPL402_bad.py", "counter", 80_000), ("MPL402_bad_manager.py", "count", 1_200)],
)
def test_MPL402_concurrent_updates_are_lost(
    runs: Runs, witness: str, key: str, expected: int
) -> None:
    run = runs[witness]
    assert run.value("expected") == str(expected), str(run)
    assert int(run.value(key)) < expected, str(run)  # silently lost, no error


@pytest.mark.parametrize(
    ("witness", "expected"),
    [("MPL402_bad_parent.py", 40_000), ("MPL402_bad_parent_thread.py", 600)],
)
def test_MPL402_parent_updates_race_the_child(runs: Runs, witness: str, expected: int) -> None:
    run = runs[witness]
    assert run.value("expected") == str(expected), str(run)
    totals = [int(total) for total in run.values("total")]
    assert 1 <= len(totals) <= 5, str(run)  # the rounds stop at the first lost update
    assert totals[-1] < expected, str(run)
    assert all(total == expected for total in totals[:-1]), str(run)


# --- MPL405 lock-not-shared ------------------------------------------------------------------------


@pytest.mark.parametrize("witness", ["MPL405_bad.py", "MPL405_bad_local.py"])
def test_MPL405_critical_sections_overlap(runs: Runs, witness: str) -> None:
    run = runs[witness]
    assert int(run.value("overlapping critical sections")) > 0, str(run)
