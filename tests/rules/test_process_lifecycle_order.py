"""The predicates of the ``process_lifecycle_order`` rule."""

from __future__ import annotations

from mplint.rules.process_lifecycle_order import self_calls

from ..model.support import INITS, model_of


def test_self_calls() -> None:
    model = model_of(INITS, path="case.py")
    starts = {
        info.name for info in model.names.class_of_node.values() if self_calls(model, info, "start")
    }
    assert starts == {"StartsItself"}
