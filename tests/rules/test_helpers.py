"""The helpers several rules share (:mod:`mplint.rules._helpers`)."""

from __future__ import annotations

import libcst as cst
import pytest

from mplint.rules._helpers import name_assignment


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("pool = Pool(2)\n", "pool"),
        ("pool: Pool = Pool(2)\n", None),  # an annotated assignment is not rewritten
        ("a = b = Pool(2)\n", None),
        ("self.pool = Pool(2)\n", None),
        ("a, b = Pipe()\n", None),
        ("pool = Pool(2); pool.map(f, xs)\n", None),
        ("pool.close()\n", None),
    ],
)
def test_name_assignment(line: str, name: str | None) -> None:
    statement = cst.parse_statement(line)
    found = name_assignment(statement)
    assert (found[1].value if found else None) == name
    if found is not None:
        assert isinstance(statement, cst.SimpleStatementLine)
        assert found[0] is statement.body[0]


def test_name_assignment_of_nothing_or_a_compound_statement() -> None:
    assert name_assignment(None) is None
    assert name_assignment(cst.parse_statement("if x:\n    pool = Pool()\n")) is None
