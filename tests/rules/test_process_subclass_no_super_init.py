"""The base-``__init__`` predicates of MPL10x's ``process_subclass_no_super_init`` rule."""

from __future__ import annotations

from mplint.rules.process_subclass_no_super_init import base_init_calls, generates_init

from ..model.support import INITS, model_of


def test_base_init_calls() -> None:
    model = model_of(INITS, path="case.py")
    results = {
        info.name: base_init_calls(model, info.methods["__init__"])
        for info in model.names.class_of_node.values()
        if "__init__" in info.methods
    }
    assert results["Direct"] is not None and len(results["Direct"]) == 1
    assert results["Explicit"] and results["OldSuper"] and results["Helper"]
    assert results["HandsOut"] is None
    assert results["UnknownMethod"] is None
    assert results["Missing"] == []


def test_generates_init() -> None:
    model = model_of(INITS, path="case.py")
    generated = {
        info.name for info in model.names.class_of_node.values() if generates_init(model, info)
    }
    assert generated == {"Data", "Attrs"}
