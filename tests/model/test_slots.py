"""Dict slots under constant keys as places: the slot an expression reads or a value is made into,
the reads of a dict through its slots, the calls on a slot, what may replace a slot's value."""

from __future__ import annotations

import libcst as cst

from mplint.model import LocalVar, Model
from mplint.model.slots import Slot

from .support import call_node, def_named, model_of, name_node, source_of


def _receiver(model: Model, call_text: str, nth: int = 0) -> cst.BaseExpression:
    func = call_node(model, call_text, nth).func
    assert isinstance(func, cst.Attribute)
    return func.value


def test_constant_key_slots_are_places_of_their_own() -> None:
    model = model_of(
        """
        procs = {"a": x, "b": y}
        procs["a"].start()
        procs["b"].start()
        procs.get("a")
        procs["a"].join()
        procs["a"] = z
        procs["a"].start()
        procs[name] = w
        procs["b"].join()
        procs.pop("b")
        procs["b"].start()
        """
    )
    module = model.tree.module
    starts = model.tree.method_calls["start"]
    slots = [model.slots.slot_of(_receiver(model, 'procs["a"].start()', n)) for n in (0, 1)]
    assert slots[0] == slots[1] == Slot(LocalVar(module, "procs"), "a")
    assert model.slots.slot_of(name_node(model, "procs", 0)) is None
    a = Slot(LocalVar(module, "procs"), "a")
    b = Slot(LocalVar(module, "procs"), "b")
    assert [source_of(model, c) for c in model.slots.slot_calls(a, ("start", "join"))] == [
        'procs["a"].start()',
        'procs["a"].join()',
        'procs["a"].start()',
    ]
    first_a, second_a = model.slots.slot_calls(a, ("start",))
    join_a = model.slots.slot_calls(a, ("join",))[0]
    # reading with get() changes nothing; a store under the key does
    assert not model.slots.slot_replaced_between(a, first_a, join_a)
    assert model.slots.slot_replaced_between(a, first_a, second_a)
    first_b, join_b = starts[1], model.slots.slot_calls(b, ("join",))[0]
    # a store under a key that is not constant may be into any slot; pop() changes the mapping
    assert model.slots.slot_replaced_between(b, first_b, join_b)
    assert model.slots.slot_replaced_between(b, join_b, starts[3])


def test_the_slot_a_value_is_made_into_and_the_slot_uses_of_a_container() -> None:
    model = model_of(
        """
        def f(a, b, c):
            locks = {"out": a, 1: b}
            locks["err"] = c
            with locks["out"]:
                pass
            return locks["err"]
        def g(a):
            held = {"out": a}
            use(held)
            return held["out"]
        """
    )
    f = def_named(model, "f")
    out = Slot(LocalVar(f, "locks"), "out")
    assert model.slots.stored_slot(name_node(model, "a", 1)) == out
    assert model.slots.stored_slot(name_node(model, "b", 1)) is None  # not a string key
    assert model.slots.stored_slot(name_node(model, "c", 1)) == Slot(LocalVar(f, "locks"), "err")
    uses = model.slots.slot_uses(LocalVar(f, "locks"))
    assert uses is not None
    assert [(source_of(model, read), slot.key) for read, slot in uses] == [
        ('locks["err"]', "err"),
        ('locks["out"]', "out"),
        ('locks["err"]', "err"),
    ]
    # handed to a call: not only read through its slots
    assert model.slots.slot_uses(LocalVar(def_named(model, "g"), "held")) is None
