"""The helpers several rules share (:mod:`mplint.rules._helpers`)."""

from __future__ import annotations

import libcst as cst
import pytest

from mplint.edits import InsertAfter, InsertBefore
from mplint.rules._helpers import lone_statement_line, name_assignment, spelling_with_import

from ..model.support import call_node, model_of, name_node, source_of


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


@pytest.mark.parametrize(
    ("source", "text", "edits"),
    [
        ("import queue\nx = 1\n", "queue.Full", []),
        ("from queue import Full as F\nx = 1\n", "F", []),
        ('"""Doc."""\nimport os\nx = 1\n', "queue.Full", [("InsertAfter", "import os")]),
        ('"""Doc."""\nx = 1\n', "queue.Full", [("InsertBefore", "x = 1")]),
    ],
)
def test_spelling_with_import(source: str, text: str, edits: list[tuple[str, str]]) -> None:
    model = model_of(source, dedent=False)
    found = spelling_with_import(model, "queue.Full", name_node(model, "x"))
    assert found is not None and found[0] == text
    assert [
        (type(edit).__name__, source_of(model, edit.statement).strip(), edit.text)
        for edit in found[1]
        if isinstance(edit, (InsertAfter, InsertBefore))
    ] == [(kind, statement, "import queue") for kind, statement in edits]
    assert len(found[1]) == len(edits)


def test_spelling_with_import_needs_a_place_for_the_import() -> None:
    model = model_of('"""Doc."""\n', dedent=False)
    assert model.importer.import_spelling("queue.Full", model.module) == (
        "queue.Full",
        "import queue",
    )
    assert spelling_with_import(model, "queue.Full", model.module) is None


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("def go(d):\n    d['k'].append(1)\n", "d['k'].append(1)"),
        ("def go(d):\n    x = d['k'].append(1)  # note\n", "x = d['k'].append(1)  # note"),
        ("d['k'].append(1)\n", "d['k'].append(1)"),
        ("def go(d):\n    d['k'].append(1); print(d)\n", None),  # two statements on the line
        ("def go(d):\n    if d: d['k'].append(1)\n", None),  # a one-line suite
        ("def go(d):\n    while d['k'].append(1):\n        pass\n", None),  # a compound header
    ],
)
def test_lone_statement_line(source: str, line: str | None) -> None:
    model = model_of(source, dedent=False)
    found = lone_statement_line(model, call_node(model, "d['k'].append(1)"))
    assert (source_of(model, found).strip() if found is not None else None) == line
