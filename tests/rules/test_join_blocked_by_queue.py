"""The predicates of the ``join_blocked_by_queue`` rule."""

from __future__ import annotations

import libcst as cst
import pytest

from mplint.rules.join_blocked_by_queue import loop_can_exit, waits_forever

from ..model.support import WHILE_LOOPS, model_of


@pytest.mark.parametrize(
    ("function", "exits"),
    [("a", False), ("b", True), ("c", False), ("d", True), ("e", True), ("f", True), ("g", False)],
)
def test_loop_can_exit(function: str, exits: bool) -> None:
    model = model_of(WHILE_LOOPS)
    loop = model.names.functions[function].body.body[0]
    assert isinstance(loop, cst.While)
    assert loop_can_exit(model, loop) is exits


@pytest.mark.parametrize(
    ("code", "forever"),
    [
        ("p.join()", True),
        ("p.join(5)", False),
        ("p.join(timeout=None)", True),
        ("p.join(t)", False),
    ],
)
def test_waits_forever(code: str, forever: bool) -> None:
    model = model_of(f"{code}\n")
    assert waits_forever(model.tree.calls[0]) is forever
