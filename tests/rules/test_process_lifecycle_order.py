"""The predicates of the ``process_lifecycle_order`` rule (the methods a class calls on itself, which
it shares with ``process_started_twice`` through ``rules/_helpers``)."""

from __future__ import annotations

from mplint.rules._helpers import lineage_methods

from ..model.support import INITS, model_of


def test_classes_that_call_start_on_themselves() -> None:
    model = model_of(INITS, path="case.py")
    starts = {
        info.name
        for info in model.names.class_of_node.values()
        if "start" in lineage_methods(model, info)[1]
    }
    assert starts == {"StartsItself"}
