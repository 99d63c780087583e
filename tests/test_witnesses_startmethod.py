"""Runtime witnesses of the start-method and main-guard rules: the checks their headers cannot say.

Each script's header (tests/witness_support.py) already pins its outcome and output; this module
counts lines whose value (a pid) the header cannot know, on the same runs as tests/test_witnesses.py.
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


# --- MPL201 missing-main-guard ---------------------------------------------------------------------


@pytest.mark.parametrize("witness", ["MPL201_good.py", "MPL201_good_forkserver.py"])
def test_MPL201_guarded_work_runs_once(runs: Runs, witness: str) -> None:
    run = runs[witness]
    # The header pins `values "module body run as" = "__main__"`: the guarded body ran only in the
    # parent; the child's work ran exactly once.
    assert len(run.values("work ran in pid")) == 1, str(run)
