from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.api_table import EXECUTOR_TASK_METHODS, POOL_TASK_METHODS
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertBefore
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind
from mplint.model import BindingKind, LocalVar, SelfAttr, VarKey
from mplint.model.slots import Slot
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import comments_above, expression_line


class PoolLifecycleOrder(LintRule):
    """
    ## What it does
    Checks the order of a pool's or executor's lifecycle calls within a function:
    `pool.join()` with no `close()`/`terminate()` before it since the pool was created, tasks submitted
    after `close()`/`terminate()` or after the pool's `with` block, and `submit()`/`map()` on an executor
    after `shutdown()` or after its `with` block. For a pool kept in `self.pool`, a `join()` that comes
    before the same method's `close()` is reported when nothing else closes, enters or hands out the
    attribute. A pool kept in a constant-key dict slot (`pools["io"].join()`) counts as a variable,
    and a helper that joins the pool it is given before closing it (`def finish(pool): pool.join()`)
    is reported when a caller passes it a pool made there and not closed yet.

    It supersedes MPL303 on the same call: a submission to a closed pool raises and returns no
    handle to drop.

    ## Why is this bad?
    - `Pool.join()` on a running pool raises `ValueError: Pool is still running`
      (`multiprocessing/pool.py` `Pool.join`).
    - Any task method after `close()` or `terminate()` — also on the next pass of a loop that closes
      the pool at the end of each pass — and after `with Pool() as pool:`, whose exit
      calls `terminate()` — raises `ValueError: Pool not running` (`Pool._check_running`).
    - `submit()`/`map()` after `shutdown()` or after the executor's `with` block raises
      `RuntimeError: cannot schedule new futures after shutdown`.

    Otherwise the rule reasons within one function: a pool created elsewhere (a parameter, an attribute
    set in another method), passed to another function, or used after a `with pool:` block before
    `join()` is not reported.

    ## Example
    ```python
    pool = Pool(4)
    result = pool.map_async(work, items)
    pool.join()
    ```

    Use instead:
    ```python
    pool = Pool(4)
    result = pool.map_async(work, items)
    pool.close()
    pool.join()
    ```

    ## Fix safety
    Inserting `pool.close()` just before a `pool.join()` that has none is safe: the original always
    raises. Use after close or shutdown has no automatic fix.

    ## References
    - [`Pool.join`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool.join):
      "One must call close() or terminate() before using join()."
    """

    CODE = "MPL302"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "pool-lifecycle-order"
    MESSAGE = "`{call}` {problem}"
    FIX_TITLE = "Call `close()` before `join()`"
    SEVERITY = Severity.ERROR
    FIX = "safe"
    SUPERSEDES = frozenset({"MPL303"})

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go():
                pool = Pool(2)
                pool.map(f, [1])
                pool.close()
                pool.join()
            """
        ),
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    pool.map(f, [1])
                pool.join()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go():
                pool = Pool(2)
                pool.map_async(f, [1])
                pool.join()
            """,
            fixed="""
            from multiprocessing import Pool
            def f(x): return x
            def go():
                pool = Pool(2)
                pool.map_async(f, [1])
                pool.close()
                pool.join()
            """,
        ),
        Invalid(
            """
            from concurrent.futures import ProcessPoolExecutor
            def f(x): return x
            def go():
                with ProcessPoolExecutor() as ex:
                    ex.submit(f, 1)
                ex.submit(f, 2)
            """
        ),
    ]

    _with_index: Optional[dict[VarKey, list[cst.With]]] = None

    def check(self) -> None:
        model = self.model
        # ``map`` is a method of both pools and executors: each call is looked at once.
        for method in sorted({"join", *POOL_TASK_METHODS, *EXECUTOR_TASK_METHODS}):
            for call in model.tree.method_calls.get(method, []):
                func = call.func
                assert isinstance(func, cst.Attribute)
                kind = model.kind_of(func.value)
                if kind is None:
                    continue
                if kind.is_pool and method == "join":
                    self._check_join(call, func.value, kind)
                elif kind.is_pool and method in POOL_TASK_METHODS:
                    self._check_use(call, func.value, ("close", "terminate"), "Pool not running")
                elif kind.is_executor and method in EXECUTOR_TASK_METHODS:
                    self._check_use(
                        call,
                        func.value,
                        ("shutdown",),
                        "cannot schedule new futures after shutdown",
                    )

    # --- join() without close() ------------------------------------------------------------------------
    def _check_join(self, call: cst.Call, receiver: cst.BaseExpression, kind: Kind) -> None:
        model = self.model
        key = model.binding_key(receiver)
        if isinstance(key, SelfAttr):
            if self._attribute_never_closed_before(key, call):
                self.report(
                    call,
                    call=self.code_for(call),
                    problem="comes before the pool is closed: without `close()` or `terminate()` first it "
                    "raises ValueError: Pool is still running",
                )
            return
        if key is None:
            slot = model.slots.slot_of(receiver)
            if slot is not None and self._slot_unclosed_before(slot, receiver, call):
                self.report(
                    call,
                    fix=self._close_fix(call, receiver),
                    call=self.code_for(call),
                    problem="without `close()` or `terminate()` first raises ValueError: "
                    "Pool is still running",
                )
            return
        site = self._unclosed_pool_given(key, call)
        if site is not None:
            self.report(
                call,
                call=self.code_for(call),
                problem=f"runs on the pool `{self.code_for(site)}` passes, not closed yet: without "
                "`close()` or `terminate()` first it raises ValueError: Pool is still running",
            )
            return
        creation = self._created_here(key, call)
        if creation is None:
            return
        if self._handled_between(key, receiver, creation, call):
            return
        self.report(
            call,
            fix=self._close_fix(call, receiver),
            call=self.code_for(call),
            problem="without `close()` or `terminate()` first raises ValueError: Pool is still running",
        )

    def _slot_unclosed_before(
        self, slot: Slot, receiver: cst.BaseExpression, join: cst.Call
    ) -> bool:
        """``pools["io"].join()`` where the slot holds only a pool made earlier in the same function
        (``pools = {"io": Pool(4)}``, ``pools["io"] = Pool(4)``), and nothing between may have closed
        it: no ``close``/``terminate`` of the slot, no other value put in it, the container or the
        slot not handed to a call, not entered by ``with``."""
        model = self.model
        sources = model.valueflow.sources(receiver, returns=False)
        if sources is None or len(sources) != 1:
            return False
        made = sources[0]
        kind = model.kind_of(made)
        if kind is None or kind.creator is not made or not kind.is_pool:
            return False
        function = model.enclosing_function_node(join)
        if model.enclosing_function_node(made) is not function or not model.dominates(made, join):
            return False
        if model.slots.slot_replaced_between(slot, made, join):
            return False
        low, high = model.tree.order.get(made, 0), model.tree.order.get(join, 0)
        for other in model.slots.slot_calls(slot, ("close", "terminate", "__exit__")):
            if low < model.tree.order.get(other, 0) < high:
                return False
        container = receiver.value if isinstance(receiver, cst.Subscript) else receiver
        for other in model.tree.calls:
            if not low < model.tree.order.get(other, 0) < high or other is join:
                continue
            for arg in other.args:
                if model.slots.slot_of(arg.value) == slot:
                    return False
                if model.valueflow.key_of(arg.value) == model.valueflow.key_of(container):
                    return False
        for item in model.tree.with_items:
            if low < model.tree.order.get(item, 0) < high and (
                model.slots.slot_of(item.item) == slot
            ):
                return False
        return True

    def _unclosed_pool_given(self, key: VarKey, join: cst.Call) -> Optional[cst.Call]:
        """``def finish(pool): pool.join()`` (nothing in the helper closes ``pool`` before the join),
        called as ``finish(pool)`` on a pool made earlier in the caller and not closed since: the first
        such call."""
        model = self.model
        function = model.enclosing_function_node(join)
        if not isinstance(function, cst.FunctionDef) or not isinstance(key, LocalVar):
            return None
        scope = model.names.scopes.get(function)
        bindings = scope.bindings.get(key.name, []) if scope is not None else []
        if len(bindings) != 1 or bindings[0].how is not BindingKind.PARAM:
            return None
        if any(model.precedes(c, join) for c in model.calls_on(key, ("close", "terminate"))):
            return None
        for site in model.callgraph.calls_to(function):
            argument = model.valueflow.call_binds(function, bindings[0], site)
            given = model.binding_key(argument) if isinstance(argument, cst.Name) else None
            if argument is None or given is None:
                continue
            creation = self._created_here(given, site)
            if creation is None or not model.dominates(creation, site):
                continue
            if not self._handled_between(given, argument, creation, site):
                return site
        return None

    def _attribute_never_closed_before(self, key: SelfAttr, join: cst.Call) -> bool:
        """``self.pool.join()`` then ``self.pool.close()`` in the same method: the pool is closed in the
        wrong order. ``self.pool`` only ever holds pools made by this module, and nothing else can have
        closed it first: no other ``close``/``terminate`` of it (called or handed out), no ``with`` of
        it, and it is never passed to a call or returned. (A join with no close in the method may
        follow a close made by another module: silent.)"""
        model = self.model
        sources = model.valueflow.attribute_sources(key)
        if not sources or model.valueflow.attribute_assigned_elsewhere(key):
            return False
        for source in sources:
            if source.path or source.items:
                return False
            kind = model.kind_of(source.expr)
            if kind is None or kind.creator is None or not kind.is_pool:
                return False
        method = model.enclosing_function_node(join)
        closed_after = False
        for node in model.valueflow.attribute_loads(key):
            parent = model.parent(node)
            if isinstance(parent, cst.Attribute) and parent.value is node:
                if parent.attr.value not in ("close", "terminate", "__exit__"):
                    continue
                after = model.enclosing_function_node(node) is method and model.precedes(join, node)
                if not after:
                    return False  # closed somewhere (or handed out as a callback)
                closed_after = True
                continue
            return False  # entered, passed, returned or stored: something else may close it
        return closed_after

    def _created_here(self, key: VarKey, call: cst.Call) -> Optional[cst.CSTNode]:
        """The binding of a new pool to the variable before ``call``, in the function of ``call``."""
        creation = self._creation_before(key, call)
        if creation is None:
            return None
        model = self.model
        if model.enclosing_function_node(creation) is not model.enclosing_function_node(call):
            return None
        return creation

    def _creation_before(self, key: VarKey, call: cst.Call) -> Optional[cst.CSTNode]:
        """The last binding of the variable before ``call``, when it binds a newly created pool."""
        model = self.model
        before = [n for n in model.names.assignments_of(key) if model.precedes(n, call)]
        if not before:
            return None
        last = max(before, key=lambda n: model.tree.order.get(n, 0))
        parent = model.parent(last)
        if isinstance(parent, cst.AsName):
            return None  # ``with Pool() as pool``: handled as use-after-with
        assignment = model.small_statement_of(last)
        if not isinstance(assignment, (cst.Assign, cst.AnnAssign)) or assignment.value is None:
            return None
        created = model.kind_of(assignment.value)
        if created is None or created.creator is None or not created.is_pool:
            return None
        return last

    def _handled_between(
        self,
        key: VarKey,
        receiver: cst.BaseExpression,
        creation: cst.CSTNode,
        call: cst.Call,
    ) -> bool:
        """Something between creation and ``join()`` may have closed the pool."""
        model = self.model
        low, high = model.tree.order.get(creation, 0), model.tree.order.get(call, 0)
        for other in model.calls_on(key, ("close", "terminate", "__exit__")):
            if low < model.tree.order.get(other, 0) < high:
                return True
        name = self.code_for(receiver)
        for other in model.tree.calls:
            position = model.tree.order.get(other, 0)
            if not low < position < high or other is call:
                continue
            # passed to a helper that may close it
            if any(self.code_for(a.value) == name for a in other.args):
                return True
        for item in model.tree.with_items:
            if low < model.tree.order.get(item, 0) < high and model.binding_key(item.item) == key:
                return True
        return False

    def _close_fix(self, call: cst.Call, receiver: cst.BaseExpression) -> Optional[FixSpec]:
        statement = expression_line(self.model.statement_of(call), call)
        if statement is None:
            return None
        # Above the comment lines that describe the join(), not between them and it.
        anchor: cst.CSTNode = next(iter(comments_above(statement)), statement)
        return self.fix(
            Applicability.SAFE, InsertBefore(anchor, f"{self.code_for(receiver)}.close()")
        )

    # --- use after close() / terminate() / shutdown() / with -------------------------------------------
    def _check_use(
        self,
        call: cst.Call,
        receiver: cst.BaseExpression,
        stoppers: tuple[str, ...],
        error: str,
    ) -> None:
        model = self.model
        key = model.binding_key(receiver)
        if key is None:
            return
        for stop in model.calls_on(key, stoppers):
            if model.dominates(stop, call) and not model.names.rebound_between(key, stop, call):
                method = stop.func.attr.value if isinstance(stop.func, cst.Attribute) else "close"
                self.report(
                    call,
                    call=self.snippet(call),
                    problem=f"after `{method}()` raises {_error_class(error)}: {error}",
                )
                return
        for stop in model.calls_on(key, stoppers):
            loop = self._repeats_after(stop, call, key)
            if loop is not None:
                method = stop.func.attr.value if isinstance(stop.func, cst.Attribute) else "close"
                self.report(
                    call,
                    call=self.snippet(call),
                    problem=f"on the loop's next pass, after `{method}()`, raises "
                    f"{_error_class(error)}: {error}",
                )
                return
        for with_node, anchor in self._with_blocks_of(key, call):
            if (
                model.dominates(with_node, call)
                and not model.contains(with_node, call)
                and not model.names.rebound_between(key, anchor, call)
                and model.tree.end.get(with_node, 0) <= model.tree.order.get(call, 0)
            ):
                self.report(
                    call,
                    call=self.snippet(call),
                    problem=f"after the `with` block (its exit shut it down) raises "
                    f"{_error_class(error)}: {error}",
                )
                return

    def _repeats_after(self, stop: cst.Call, call: cst.Call, key: VarKey) -> Optional[cst.CSTNode]:
        """A loop around both calls whose every pass runs ``stop`` after ``call``, repeats, and does
        not bind the variable again: from the second pass on ``call`` follows ``stop``."""
        model = self.model
        if not model.precedes(call, stop):
            return None
        for loop in model.flow.enclosing_loops(stop):
            if not model.contains(loop, call):
                continue
            if (
                model.flow.loop_may_repeat(loop)
                and model.flow.runs_each_iteration(stop, loop)
                and not model.flow.loop_exits_early(loop)
                and not any(model.contains(loop, node) for node in model.names.assignments_of(key))
            ):
                return loop
            return None
        return None

    def _with_blocks_of(self, key: VarKey, call: cst.Call) -> list[tuple[cst.With, cst.CSTNode]]:
        """``with`` statements that shut the pool down at their exit, each with the node that binds it."""
        model = self.model
        out: list[tuple[cst.With, cst.CSTNode]] = []
        for with_node in self._with_statements().get(key, ()):
            if model.precedes(with_node, call):
                out.append((with_node, with_node))
        for node in model.names.assignments_of(key):
            parent = model.parent(node)
            if isinstance(parent, cst.AsName):
                owner = model.parent(parent)
                statement = model.parent(owner) if owner is not None else None
                if isinstance(statement, cst.With) and model.precedes(statement, call):
                    out.append((statement, node))
        return out

    def _with_statements(self) -> dict[VarKey, list[cst.With]]:
        """The ``with`` statements of the module by the variable their item names (built once)."""
        if self._with_index is None:
            model = self.model
            index: dict[VarKey, list[cst.With]] = {}
            for item in model.tree.with_items:
                with_node = model.parent(item)
                if isinstance(with_node, cst.With):
                    key = model.binding_key(item.item)
                    if key is not None:
                        index.setdefault(key, []).append(with_node)
            self._with_index = index
        return self._with_index


def _error_class(error: str) -> str:
    return "RuntimeError" if "schedule" in error else "ValueError"
