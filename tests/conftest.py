"""Shared test helpers: fixture discovery, the ``# error: CODE`` grammar, ``--update-fixtures``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"

# `# error: MPL101` marks a line that must be reported with that code; several codes: `MPL101, MPL105`.
ERROR_MARK = re.compile(r"#\s*error:\s*(?P<codes>MPL\d{3}(?:\s*,\s*MPL\d{3})*)")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-fixtures",
        action="store_true",
        default=False,
        help="rewrite tests/fixtures/*.fixed.py from the current fixes (review the diff!)",
    )


@pytest.fixture
def update_fixtures(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-fixtures"))


def expected_errors(text: str) -> set[tuple[int, str]]:
    """(line, code) pairs marked with ``# error: CODE`` in a fixture."""
    found: set[tuple[int, str]] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = ERROR_MARK.search(line)
        if match:
            for code in match.group("codes").split(","):
                found.add((number, code.strip()))
    return found
