"""Shared test helpers: fixture discovery, the ``# error: CODE`` grammar, ``--update-fixtures``."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

import pytest

from mplint.source import split_lines_keepends

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SNAPSHOTS = ROOT / "tests" / "snapshots"

# `# error: MPL101` marks a line that must be reported with that code; several codes: `MPL101, MPL105`.
# Free text may follow the codes after a space (`# error: MPL203 (tasks are pickled even under fork)`).
ERROR_MARK = re.compile(r"#\s*error:\s*(?P<codes>MPL\d{3}(?:\s*,\s*MPL\d{3})*)(?P<rest>(?:\s.*)?)$")
# Anything that starts like a marker (`# error`, `# Error:`, `#errors:` …) must then be a well-formed one:
# a typo must not turn an expected report into "expected silent".
MARKER_START = re.compile(r"#\s*error", re.IGNORECASE)
CODE_LIKE = re.compile(r"\bmpl\d", re.IGNORECASE)


def xdist_shared_dir(config: pytest.Config) -> Optional[Path]:
    """A directory that every pytest-xdist worker of this session sees, for work they share (the
    controller's base directory, new for every session: each worker's own lies in it); None when
    the tests do not run in xdist workers."""
    basetemp = config.option.basetemp
    if not os.environ.get("PYTEST_XDIST_WORKER") or not basetemp:
        return None
    return Path(basetemp).parent


class MarkerError(ValueError):
    """A fixture comment looks like an ``# error:`` marker but does not follow its grammar."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-fixtures",
        action="store_true",
        default=False,
        help="rewrite tests/fixtures/*.fixed.py and tests/snapshots/ from the current code (review the diff!)",
    )


@pytest.fixture
def update_fixtures(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-fixtures"))


def expected_errors(text: str, name: str = "<fixture>") -> set[tuple[int, str]]:
    """(line, code) pairs marked with ``# error: CODE`` in a fixture; a malformed marker raises
    :class:`MarkerError`. Lines are numbered the way Python (and mplint) numbers them."""
    found: set[tuple[int, str]] = set()
    for number, line in enumerate(split_lines_keepends(text), start=1):
        start = MARKER_START.search(line)
        if start is None:
            continue
        match = ERROR_MARK.search(line.rstrip("\r\n"), start.start())
        if match is None or match.start() != start.start() or CODE_LIKE.search(match.group("rest")):
            raise MarkerError(
                f"{name}:{number}: malformed marker {line[start.start() :].strip()!r}; "
                "write '# error: MPL101' or '# error: MPL101, MPL105'"
            )
        for code in match.group("codes").split(","):
            found.add((number, code.strip()))
    return found
