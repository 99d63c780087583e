"""The tree and its indexes (:mod:`mplint.model.tree`)."""

from __future__ import annotations

import pytest

from .support import model_of


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_pool.py", True),
        ("pool_test.py", True),
        ("tests/conftest.py", True),
        ("src/pkg/pool.py", False),
        ("tests/fixtures/MPL104.py", False),
    ],
)
def test_is_test_file(path: str, expected: bool) -> None:
    assert model_of("x = 1\n", path).tree.is_test_file is expected
