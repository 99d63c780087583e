"""The code table in mplint/codes.py is the rules' own, and selects what the rule registry selects."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mplint import codes
from mplint.codes import META, RULES, Code, matches, specificity, unknown_selectors
from mplint.diagnostics import META_CODES
from mplint.registry import all_rules, enabled_rules
from mplint.rule import NAME_RE

from .conftest import ROOT

STALE = "mplint/codes.py is stale: run `python scripts/gen_codes.py` and commit the result"


def test_the_table_is_the_rules_own() -> None:
    assert tuple(Code(r.CODE, r.NAME, r.PREVIEW) for r in all_rules()) == RULES, STALE


def test_the_generator_finds_it_current() -> None:
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_codes.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr + STALE


def test_the_name_pattern_is_the_rules_own() -> None:
    assert codes._NAME.pattern == NAME_RE.pattern


def test_meta_codes_are_the_diagnostics_own() -> None:
    assert {meta.code for meta in META} == META_CODES
    assert not {meta.code for meta in META} & {rule.code for rule in RULES}


@pytest.mark.parametrize(
    ("selectors", "unknown"),
    [
        (["MPL", "ALL", "all", "mpl1", "MPL101", "bad-process-target"], []),
        (["MPL001", "MPL00", "MPL0"], []),  # the meta codes, by code
        (["MPL999", "MPL9", "syntax-error", "no-such-rule", "E501", "Bad-Process-Target"], None),
    ],
)
def test_unknown_selectors(selectors: list[str], unknown: list[str] | None) -> None:
    assert unknown_selectors(selectors) == (selectors if unknown is None else unknown)


def test_matching_and_specificity() -> None:
    assert matches("MPL1", "MPL101", "bad-process-target")
    assert matches("bad-process-target", "MPL101", "bad-process-target")
    assert not matches("MPL2", "MPL101", "bad-process-target")
    assert not matches("101", "MPL101", "bad-process-target")
    assert specificity("ALL") < specificity("MPL") < specificity("MPL1") < specificity("MPL101")
    assert specificity("bad-process-target") > specificity("MPL10")  # a name counts as a full code


def test_enabled_rules_follow_the_table() -> None:
    # The more specific selector wins between select and ignore, by code or by name.
    codes = [r.CODE for r in enabled_rules(["MPL101"], ["MPL1"])]
    assert codes == ["MPL101"]
    assert "MPL101" not in [r.CODE for r in enabled_rules(["MPL1"], ["bad-process-target"])]
    preview = {rule.code for rule in RULES if rule.preview}
    assert not preview & {r.CODE for r in enabled_rules(["ALL"])}
    assert preview <= {r.CODE for r in enabled_rules(["ALL"], preview=True)}


@pytest.mark.parametrize(
    ("select", "ignore", "extend_select", "preview"),
    [
        (("MPL",), (), (), False),
        (("MPL",), (), (), True),
        (("MPL1",), ("MPL101",), ("MPL207",), False),
        (("MPL101",), ("MPL1",), (), False),
        (("MPL207", "fork-with-threads"), (), (), True),
        (("ALL",), ("MPL2", "MPL301"), (), False),
        ((), (), (), False),
    ],
)
def test_enabled_codes_agree_with_the_registry(
    select: tuple[str, ...], ignore: tuple[str, ...], extend_select: tuple[str, ...], preview: bool
) -> None:
    from mplint.codes import enabled_codes
    from mplint.registry import enabled_rules

    rules = enabled_rules(select, ignore, extend_select, preview)
    assert enabled_codes(select, ignore, extend_select, preview) == [r.CODE for r in rules]
