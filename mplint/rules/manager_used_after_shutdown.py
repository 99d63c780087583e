from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import KindName
from mplint.model import SelfAttr, VarKey
from mplint.model.slots import Slot
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import attribute_reads_around_block, self_used_after

#: Where a manager stops: the ``with`` statement that entered it, or its ``shutdown()`` call.
Stop = Union[cst.With, cst.Call]
_COPY = {KindName.DICT: "dict", KindName.LIST: "list"}


class ManagerUsedAfterShutdown(LintRule):
    """
    ## What it does
    Checks for a Manager proxy (`m.dict()`, `m.list()`, `m.Namespace()`, `m.Queue()`, `m.Lock()` …) used
    after its manager was shut down: after the `with Manager() as m:` block that created it, or after
    `m.shutdown()`. The proxy may be kept in a variable, in an attribute, or under a constant key of a
    dict (`state = {"counts": m.dict()}` read as `state["counts"]`), and made by a factory the
    manager is passed to (`def make(manager): return manager.dict()`).

    ## Why is this bad?
    A proxy is a handle on an object that lives in the manager's server process. Leaving the `with` block
    calls `shutdown()` (`multiprocessing/managers.py`, `BaseManager.__exit__`), which stops that process:
    every later use of the proxy fails, typically with `BrokenPipeError: [Errno 32] Broken pipe`, or with
    `FileNotFoundError: [Errno 2] No such file or directory` when this process had not connected to the
    server yet, or `EOFError`. Returning a proxy out of the `with` block hands the caller a dead object.

    A proxy kept in an attribute inside the block (`self.shared = m.dict()`) is followed to its reads
    after the block in the same method and in the class's other methods (which run before the block,
    holding a proxy of an earlier call, or after it), unless the block calls a method of `self` or
    hands `self` on after storing it.

    A proxy re-created after the block, and copies taken inside it (`result = dict(shared)`), are not
    reported.

    ## Example
    ```python
    with Manager() as m:
        shared = m.dict()
        run_workers(shared)
    print(shared["total"])
    ```

    Use instead:
    ```python
    with Manager() as m:
        shared = m.dict()
        run_workers(shared)
        result = dict(shared)  # a plain copy, taken while the server is alive
    print(result["total"])
    ```

    ## Fix safety
    For a `dict` or `list` proxy bound at the top level of the `with` block, the fix adds
    `shared = dict(shared)` (or `list(...)`) as the block's last statement, so that the later uses read a
    plain copy. It is unsafe: the variable no longer holds a proxy (writes to it stay local, and its type
    changes), and nested values that were proxies are copied too.

    ## References
    - [Managers](https://docs.python.org/3/library/multiprocessing.html#managers):
      "the manager's `__exit__` calls `shutdown()`".
    - [`BaseManager.shutdown`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.managers.BaseManager.shutdown)
    """

    CODE = "MPL406"
    GATE = Gate.of(needs(PROCESSES, "Manager|SyncManager|BaseManager"))
    NAME = "manager-used-after-shutdown"
    MESSAGE = "`{name}` is a proxy of a Manager that {stopped}; using it fails"
    FIX_TITLE = "Copy the proxy's data before the manager shuts down"
    SEVERITY = Severity.ERROR
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Manager
            def main():
                with Manager() as m:
                    shared = m.dict()
                    result = dict(shared)
                return result
            """
        ),
        Valid(
            """
            from multiprocessing import Manager
            def main():
                m = Manager()
                shared = m.list()
                shared.append(1)
                m.shutdown()
                shared = [1]
                return shared
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Manager
            def main():
                with Manager() as m:
                    shared = m.dict()
                    shared['a'] = 1
                return shared['a']
            """,
            fixed="""
            from multiprocessing import Manager
            def main():
                with Manager() as m:
                    shared = m.dict()
                    shared['a'] = 1
                    shared = dict(shared)
                return shared['a']
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def main():
                m = mp.Manager()
                q = m.Queue()
                m.shutdown()
                q.put(1)
            """
        ),
    ]

    def check(self) -> None:
        for stop, manager in self._stops():
            self._check_stop(stop, manager)
            if isinstance(stop, cst.With):
                self._check_attributes(stop, manager)

    def _stops(self) -> list[tuple[Stop, VarKey]]:
        """Each place a manager stops, with the key of the variable holding it."""
        model = self.model
        out: list[tuple[Stop, VarKey]] = []
        for item in model.tree.with_items:
            kind = model.kind_of(item.item)
            if kind is None or kind.name is not KindName.MANAGER or kind.proxy:
                continue
            with_node = model.parent(item)
            if not isinstance(with_node, cst.With):
                continue
            holder: Optional[cst.BaseExpression] = None
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                holder = item.asname.name
            elif isinstance(item.item, (cst.Name, cst.Attribute)):
                holder = item.item
            key = model.binding_key(holder) if holder is not None else None
            if key is not None:
                out.append((with_node, key))
        for call in model.tree.method_calls.get("shutdown", []):
            func = call.func
            if not isinstance(func, cst.Attribute):
                continue
            kind = model.kind_of(func.value)
            if kind is None or kind.name is not KindName.MANAGER or kind.proxy:
                continue
            key = model.binding_key(func.value)
            if key is not None:
                out.append((call, key))
        return out

    def _check_stop(self, stop: Stop, manager: VarKey) -> None:
        model = self.model
        function = model.enclosing_function_node(stop)
        after = (
            model.tree.end.get(stop, 0)
            if isinstance(stop, cst.With)
            else model.tree.order.get(stop, 0)
        )
        seen: set[Union[VarKey, Slot]] = set()
        scope = (
            model.names.scopes.get(function) if function is not None else model.names.module_scope
        )
        if scope is None:
            return
        for name in sorted(scope.bindings):
            uses = (
                model.tree.name_uses(name)
                if function is None
                else model.tree.name_uses_in(name, function)
            )
            for use in uses:
                if model.tree.order.get(use, 0) < after or model.enclosing_function_node(
                    use
                ) is not (function):
                    continue
                key = model.binding_key(use)
                if key is None or key in seen or not self._live_use(use):
                    continue
                if not model.dominates(stop, use) or self._rebound_after(key, after, use):
                    continue
                stopped = (
                    "shut down when its `with` block ended"
                    if isinstance(stop, cst.With)
                    else "was shut down by `shutdown()`"
                )
                slot = self._proxy_slot(use, manager)
                if slot is not None and slot[1] not in seen:
                    seen.add(slot[1])
                    self.report(slot[0], name=self.code_for(slot[0]), stopped=stopped)
                    continue
                kind = model.kind_of(use)
                if kind is None or not kind.proxy or model.values.proxy_manager(use) != manager:
                    continue
                seen.add(key)
                fix = self._fix(stop, use, kind.name) if isinstance(stop, cst.With) else None
                self.report(use, fix=fix, name=use.value, stopped=stopped)

    def _proxy_slot(self, use: cst.Name, manager: VarKey) -> Optional[tuple[cst.Subscript, Slot]]:
        """``state["counts"]`` where the slot holds only proxies the manager served (``state =
        {"counts": manager.dict()}``): the read and its slot."""
        model = self.model
        read = model.parent(use)
        if not isinstance(read, cst.Subscript) or read.value is not use:
            return None
        if isinstance(model.parent(read), (cst.AssignTarget, cst.Del)):
            return None  # another value put in the slot, or the slot dropped: no message
        slot = model.slots.slot_of(read)
        sources = model.valueflow.sources(read, returns=False) if slot is not None else None
        if slot is None or not sources:
            return None
        for source in sources:
            kind = model.kind_of(source)
            if kind is None or not kind.proxy or model.values.proxy_manager(source) != manager:
                return None
        return read, slot

    def _check_attributes(self, stop: cst.With, manager: VarKey) -> None:
        """A proxy kept in an attribute inside the block (``self.shared = m.dict()``) and read after
        it: later in the same method, or by another method, which runs before the block (the proxy of
        an earlier call, dead as well) or after it. Silent when the attribute also gets other values,
        or when the block calls a method of ``self`` after storing it."""
        model = self.model
        flow = model.valueflow
        targets = [t for stores in model.tree.attribute_stores.values() for t in stores]
        for target in sorted(targets, key=lambda t: model.tree.order.get(t, 0)):
            if not model.contains(stop.body, target):
                continue
            key = model.binding_key(target)
            source = flow.target_source(target) if isinstance(key, SelfAttr) else None
            if key is None or source is None or source.path or source.items:
                continue
            assert isinstance(key, SelfAttr)
            kind = model.kind_of(source.expr)
            if kind is None or not kind.proxy or not self._only_this_proxy(key, stop):
                continue
            if model.values.proxy_manager(source.expr) != manager:
                continue
            _inside, reads = attribute_reads_around_block(model, key, stop, target)
            live = [r for r in reads if not self._identity_test(r)]
            if not live or self_used_after(model, stop, target):
                continue
            self.report(
                live[0],
                name=self.code_for(live[0]),
                stopped="shut down when its `with` block ended",
            )

    def _only_this_proxy(self, key: SelfAttr, stop: cst.With) -> bool:
        """Every value the attribute gets is ``None`` or made in the block."""
        flow = self.model.valueflow
        if flow.attribute_assigned_elsewhere(key):
            return False
        values = flow.attribute_sources(key)
        return all(
            not v.path
            and not v.items
            and (
                (isinstance(v.expr, cst.Name) and v.expr.value == "None")
                or self.model.contains(stop.body, v.expr)
            )
            for v in values
        )

    def _live_use(self, use: cst.Name) -> bool:
        """A read that talks to the server: not ``del x``, ``x = …`` or ``x is None``."""
        model = self.model
        if model.names.variable_use(use) not in ("load", "augment"):
            return False
        return not self._identity_test(use)

    def _identity_test(self, use: cst.BaseExpression) -> bool:
        """``x is None``, ``x is not y``: no message to the server."""
        model = self.model
        parent = model.parent(use)
        if isinstance(parent, cst.ComparisonTarget) and isinstance(
            parent.operator, (cst.Is, cst.IsNot)
        ):
            return True
        return isinstance(parent, cst.Comparison) and any(
            isinstance(t.operator, (cst.Is, cst.IsNot)) for t in parent.comparisons
        )

    def _rebound_after(self, key: VarKey, after: int, use: cst.CSTNode) -> bool:
        model = self.model
        position = model.tree.order.get(use, 0)
        return any(
            after <= model.tree.order.get(n, -1) < position for n in model.names.assignments_of(key)
        )

    def _fix(self, stop: Stop, use: cst.Name, kind: KindName) -> Optional[FixSpec]:
        """``name = dict(name)`` as the last statement of the ``with`` block."""
        model = self.model
        copy = _COPY.get(kind)
        if copy is None or not isinstance(stop, cst.With):
            return None
        if model.lookup(copy, stop) or model.names.star_imports:
            return None  # ``dict``/``list`` rebound here
        body = stop.body
        if not isinstance(body, cst.IndentedBlock) or not body.body:
            return None
        key = model.binding_key(use)
        if key is None:
            return None
        binders = [n for n in model.names.assignments_of(key) if model.contains(stop, n)]
        if len(binders) != 1:
            return None
        statement = model.statement_of(binders[0])
        if statement is None or not any(statement is s for s in body.body):
            return None
        last = body.body[-1]
        if isinstance(last, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Return, cst.Raise, cst.Break, cst.Continue)) for s in last.body
        ):
            return None
        return self.fix(
            Applicability.UNSAFE, InsertAfter(last, f"{use.value} = {copy}({use.value})")
        )
