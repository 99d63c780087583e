"""The predicates of the ``queue_exception_mismatch`` rule."""

from __future__ import annotations

import pytest

from mplint.rules.queue_exception_mismatch import queue_is_bounded

from ..model.support import QUEUE_CALLS, model_of, name_node


@pytest.mark.parametrize(
    ("name", "bounded"), [("q", True), ("u", False), ("s", False), ("t", False), ("m", True)]
)
def test_queue_is_bounded(name: str, bounded: bool) -> None:
    model = model_of(QUEUE_CALLS)
    kind = model.kind_of(name_node(model, name))
    assert kind is not None
    assert queue_is_bounded(model, kind) is bounded
