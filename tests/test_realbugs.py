"""The real-bug benchmark (benchmarks/realbugs/): its cases are well formed, its script runs, and the
results table in its README is the one the script computes."""

from __future__ import annotations

from benchmarks.realbugs import run as realbugs


def test_the_cases_are_well_formed() -> None:
    cases = realbugs.load_cases()
    assert len(cases) >= 40
    assert [f"{c.name}: {p}" for c in cases for p in c.problems] == []
    # every family of rules has cases
    families = {code[:4] for c in cases for code in c.expected}
    assert families == {"MPL1", "MPL2", "MPL3", "MPL4", "MPL5"}


def test_the_readme_table_is_current() -> None:
    assert realbugs.main(["--check"]) == 0


def test_a_found_case_and_a_silent_case() -> None:
    cases = {c.name: c for c in realbugs.load_cases()}
    found = cases["queue_01_join_before_get_large_result"]
    silent = cases["guard_01_library_call_at_top_level"]
    realbugs.run([found, silent])
    assert found.expected == ("MPL501",)
    assert "MPL501" in found.default
    assert silent.expected == ()
    assert silent.preview == frozenset()
