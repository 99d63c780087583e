"""Dict slots under constant keys: ``procs["reader"]`` as a place of its own, like a variable.

It knows which slot an expression reads (:meth:`Slots.slot_of`) or a value is made into
(:meth:`Slots.stored_slot`), the reads of a local dict through its slots (:meth:`Slots.slot_uses`), the
method calls made on a slot (:meth:`Slots.slot_calls`), and whether anything between two nodes may put
another value into it (:meth:`Slots.slot_replaced_between`). What a slot holds is asked of the value
flow (``sources`` of ``c["k"]`` reads that slot only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.model.names import LocalVar, VarKey
from mplint.model.syntax import string_value
from mplint.model.valueflow import constant_key

if TYPE_CHECKING:
    from mplint.model.names import Names
    from mplint.model.tree import Tree
    from mplint.model.valueflow import Dataflow


@dataclass(frozen=True)
class Slot:
    """The slot ``c["k"]`` of a container variable under one constant string key: a place of its
    own, like a variable."""

    container: VarKey
    key: str


#: Methods of a mapping that only read it (any other call may replace or drop a slot).
_MAPPING_READS = frozenset({"get", "items", "keys", "values", "copy", "__contains__"})


@dataclass(eq=False)
class Slots:
    """The constant-key slots of the module's dicts (see the module docstring)."""

    tree: Tree
    names: Names
    valueflow: Dataflow

    def slot_of(self, expr: cst.BaseExpression) -> Optional[Slot]:
        """The slot ``expr`` reads, when it is ``c["k"]`` of a container variable ``c``."""
        if not isinstance(expr, cst.Subscript):
            return None
        key = constant_key(expr)
        container = self.valueflow.key_of(expr.value) if key is not None else None
        return Slot(container, key) if container is not None and key is not None else None

    def stored_slot(self, value: cst.BaseExpression) -> Optional[Slot]:
        """The slot ``value`` is put into where it is made: ``d = {"k": value}`` (a dict display
        assigned to one variable) or ``d["k"] = value``."""
        parent = self.tree.parents.get(value)
        if isinstance(parent, cst.DictElement) and parent.value is value:
            display = self.tree.parents.get(parent)
            assign = self.tree.parents.get(display) if display is not None else None
            if not isinstance(assign, cst.Assign) or assign.value is not display:
                return None
            key = string_value(parent.key)
            targets = assign.targets
            container = self.valueflow.key_of(targets[0].target) if len(targets) == 1 else None
            return Slot(container, key) if container is not None and key is not None else None
        if isinstance(parent, cst.Assign) and parent.value is value and len(parent.targets) == 1:
            return self.slot_of(parent.targets[0].target)
        return None

    def slot_uses(self, container: LocalVar) -> Optional[list[tuple[cst.Subscript, Slot]]]:
        """Every read of the local variable ``container`` with the slot it names, when each is
        ``c["k"]`` (stores into slots included); None when the variable is read any other way (handed
        on, iterated, a key that is not constant)."""
        out: list[tuple[cst.Subscript, Slot]] = []
        for name in self.names.variable_loads(container):
            read = self.tree.parents.get(name)
            slot = self.slot_of(read) if isinstance(read, cst.Subscript) else None
            if slot is None or not isinstance(read, cst.Subscript) or read.value is not name:
                return None
            out.append((read, slot))
        return out

    def slot_calls(self, slot: Slot, methods: Iterable[str]) -> list[cst.Call]:
        """Calls ``c["k"].method(...)`` on the slot, in source order."""
        found: list[cst.Call] = []
        for method in methods:
            for call in self.tree.method_calls.get(method, []):
                func = call.func
                assert isinstance(func, cst.Attribute)
                if self.slot_of(func.value) == slot:
                    found.append(call)
        found.sort(key=lambda c: self.tree.order.get(c, 0))
        return found

    def slot_replaced_between(self, slot: Slot, a: cst.CSTNode, b: cst.CSTNode) -> bool:
        """Something strictly between ``a`` and ``b`` in the source may put another value in the
        slot: the container rebound, a store under that key or under a key that is not constant,
        ``del c[...]``, or a call of a method that changes the container (``update``, ``pop`` …)."""
        low, high = self.tree.order.get(a, -1), self.tree.order.get(b, -1)

        def between(node: cst.CSTNode) -> bool:
            return low < self.tree.order.get(node, -1) < high

        if any(between(node) for node in self.names.assignments_of(slot.container)):
            return True
        for subscript in self.tree.nodes_of(cst.Subscript):
            if not between(subscript) or self.valueflow.key_of(subscript.value) != slot.container:
                continue
            parent = self.tree.parents.get(subscript)
            written = self.valueflow.target_source(subscript) is not None or isinstance(
                parent, (cst.Del, cst.AssignTarget, cst.AugAssign)
            )
            if written and constant_key(subscript) in (None, slot.key):
                return True
        for calls in self.tree.method_calls.values():
            for call in calls:
                func = call.func
                assert isinstance(func, cst.Attribute)
                if (
                    between(call)
                    and func.attr.value not in _MAPPING_READS
                    and self.valueflow.key_of(func.value) == slot.container
                ):
                    return True
        return False
