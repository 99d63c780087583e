"""CST readers that need no model (:mod:`mplint.model.syntax`)."""

from __future__ import annotations

import libcst as cst
import pytest

from mplint.model import is_main_guard_test


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ('__name__ == "__main__"', True),
        ("'__main__' == __name__", True),
        ('__name__ == "__main__" and not x', True),
        ('__name__ != "__main__"', False),
        ('__name__ == "main"', None),
        ("x == y", None),
    ],
)
def test_main_guard_spellings(test: str, expected: bool | None) -> None:
    assert is_main_guard_test(cst.parse_expression(test)) is expected
