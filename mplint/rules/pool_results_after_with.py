from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import FlowKind, LocalVar, Model, SelfAttr, VarKey, keyword_arg
from mplint.model.valueflow import is_empty_container
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import attribute_reads_around_block, self_used_after

_ENDS_BLOCK = (cst.Return, cst.Raise, cst.Break, cst.Continue)
#: Kinds of the handles ``apply_async``/``map_async``/``imap`` … give back on a pool.
_POOL_HANDLES = frozenset({KindName.ASYNC_RESULT, KindName.MAP_ITERATOR})
#: Calls in a helper that wait for queued work (or drain the pool) before it hands the handles back.
_WAITS = frozenset({"get", "wait", "ready", "successful", "close", "join", "terminate"})


class PoolResultsAfterWith(LintRule):
    """
    ## What it does
    Checks for work queued with `apply_async`, `map_async`, `starmap_async`, `imap` or
    `imap_unordered` inside a `with Pool() as pool:` block (any pool of processes or threads, any
    library of the family) whose result is only waited for after the block: a handle read after the
    block, a handle returned out of the block, or a handle dropped without the block ending with
    `pool.close()` and `pool.join()`.

    The handles may be kept in a variable or a container, in an
    attribute read by another method (`self.result = pool.map_async(...)` in `build()`, read in
    `thumbnails()`), or be handed back by a function of the module given the pool that queues the work
    without waiting for it (`handles = submit_all(pool, items)`).

    It supersedes MPL303 on the same call: a handle dropped inside the `with` block is one
    cause, and waiting for the result before the block ends fixes both.

    ## Why is this bad?
    `Pool.__exit__` calls `terminate()`, not `close()` (`multiprocessing/pool.py`): tasks that have not
    finished when the block ends are discarded.
    - `res.get(timeout=3)` after the block raises `multiprocessing.context.TimeoutError`; without a
      timeout it hangs forever, and `ready()` stays `False`;
    - iterating an `imap` iterator after the block hangs forever;
    - fire-and-forget `apply_async` calls inside the block are silently lost: none of them may run.

    `concurrent.futures` executors are not reported: their `__exit__` waits for the pending work
    (`shutdown(wait=True)`).

    Not reported: results fetched inside the block, blocks that call `pool.close()` and then
    `pool.join()` after queueing the work, handles passed to a function called inside the block (it
    may wait on them), and dropped tasks that deliver their result through `callback=` (a design that
    may drop late tasks on purpose).

    ## Example
    ```python
    with Pool(4) as pool:
        res = pool.map_async(work, items)
    print(res.get())
    ```

    Use instead:
    ```python
    with Pool(4) as pool:
        res = pool.map_async(work, items)
        print(res.get())
    ```
    or end the block with `pool.close()` and `pool.join()`.

    ## Fix safety
    The fix appends `pool.close()` and `pool.join()` to the end of the `with` block, so every task
    completes before the pool is terminated. It is unsafe: the block now waits for all queued work,
    which may take long (or forever, if a task hangs). A handle returned out of the block has no fix.

    ## References
    - [`multiprocessing.pool.Pool`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool):
      "Pool objects now support the context management protocol ... `__exit__()` calls `terminate()`."
    - [cpython#74140](https://github.com/python/cpython/issues/74140),
      [cpython#126743](https://github.com/python/cpython/issues/126743)
    """

    CODE = "MPL301"
    GATE = Gate.of(needs(PROCESSES))
    NAME = "pool-results-after-with"
    MESSAGE = "`{what}` {problem}"
    FIX_TITLE = "Close and join the pool at the end of the `with` block"
    SEVERITY = Severity.ERROR
    FIX = "unsafe"
    SUPERSEDES = frozenset({"MPL303"})

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go(items):
                with Pool(2) as pool:
                    res = pool.map_async(f, items)
                    return res.get()
            """
        ),
        Valid(
            """
            from concurrent.futures import ProcessPoolExecutor
            def f(x): return x
            def go(items):
                with ProcessPoolExecutor() as ex:
                    fut = ex.submit(f, 1)
                return fut.result()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go(items):
                with Pool(2) as pool:
                    res = pool.map_async(f, items)
                return res.get()
            """,
            fixed="""
            from multiprocessing import Pool
            def f(x): return x
            def go(items):
                with Pool(2) as pool:
                    res = pool.map_async(f, items)
                    pool.close()
                    pool.join()
                return res.get()
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def log(job): print(job)
            def go(jobs):
                with mp.get_context('spawn').Pool() as pool:
                    for job in jobs:
                        pool.apply_async(log, (job,))
            """
        ),
        Invalid(
            """
            from multiprocessing.pool import ThreadPool
            def f(x): return x
            def go(items):
                with ThreadPool(2) as pool:
                    return pool.imap(f, items)
            """
        ),
    ]

    def check(self) -> None:
        for block in pool_blocks(self.model):
            for call, _kind in block_handles(self.model, block):
                self._check(block, call)
            for call in helper_handles(self.model, block):
                self._check(block, call, helper=True)

    def _check(self, block: PoolBlock, call: cst.Call, *, helper: bool = False) -> None:
        """``call`` queues work on the block's pool and gives its handle (or, with ``helper``, calls a
        function of the module that queues the work and hands back the handles without waiting)."""
        model = self.model
        flow = model.values.value_flow(call)
        if flow.how is FlowKind.DISCARDED and not helper:
            if keyword_arg(call, "callback") is not None or pool_drained(model, block, call):
                return
            self.report(
                call,
                fix=self._drain_fix(block),
                what=self.snippet(call),
                problem="may never run: the `with` block's exit terminates the pool "
                "and discards unfinished tasks",
            )
        elif flow.how is FlowKind.RETURNED:
            self.report(
                flow.node,
                what=self.snippet(call),
                problem="is returned out of the `with` block, whose exit terminates the pool: "
                "the result never arrives",
            )
        elif flow.how in (FlowKind.ASSIGNED, FlowKind.STORED) and isinstance(flow.key, LocalVar):
            self._check_variable(block, call, flow.key)
        elif flow.how in (FlowKind.ASSIGNED, FlowKind.STORED) and isinstance(flow.key, SelfAttr):
            self._check_attribute(block, call, flow.key)

    def _check_variable(self, block: PoolBlock, call: cst.Call, key: VarKey) -> None:
        model = self.model
        body = block.node.body
        function = model.enclosing_function_node(block.node)
        end = model.tree.end.get(block.node, 0)
        reads = model.names.container_reads(key)
        inside = [n for n in reads if model.contains(body, n) and model.precedes(call, n)]
        escapes = [n for n in inside if self._in_return(n)]
        if len(escapes) < len(inside) or pool_drained(model, block, call):
            return  # waited for (or handed to a function) inside the block
        if escapes:
            statement = model.small_statement_of(escapes[0]) or escapes[0]
            self.report(
                statement,
                what=key.name if isinstance(key, LocalVar) else "self",
                problem="is returned out of the `with` block, whose exit terminates the pool: "
                "the result never arrives",
            )
            return
        for name in reads:
            position = model.tree.order.get(name, 0)
            if position < end or model.enclosing_function_node(name) is not function:
                continue
            rebound = any(
                end <= model.tree.order.get(node, -1) < position
                for node in model.names.assignments_of(key)
            )
            if rebound:
                return
            self.report(
                name,
                fix=self._drain_fix(block),
                what=name.value,
                problem="is read after the `with` block whose exit terminated its pool: "
                "unfinished results never arrive (`get()` times out or hangs)",
            )
            return

    def _check_attribute(self, block: PoolBlock, call: cst.Call, key: SelfAttr) -> None:
        """A handle kept in an attribute (``self.result = pool.map_async(...)``, or stored into a
        container attribute) and read after the block: later in the same method, or in another method,
        which can only run before the block (a handle of an earlier call, terminated as well) or after
        it. Silent when the block waits for it, drains the pool, or calls anything that may read it."""
        model = self.model
        if pool_drained(model, block, call) or not self._only_handles_of(block, key):
            return
        inside, later = attribute_reads_around_block(model, key, block.node, call)
        if inside or not later or self_used_after(model, block.node, call):
            return
        function = model.enclosing_function_node(block.node)
        read = later[0]
        home = model.enclosing_function_node(read)
        where = (
            f"in `{home.name.value}()`, after"
            if isinstance(home, cst.FunctionDef) and home is not function
            else "after"
        )
        self.report(
            read,
            fix=self._drain_fix(block),
            what=self.code_for(read),
            problem=f"is read {where} the `with` block whose exit terminated its pool: "
            "unfinished results never arrive (`get()` times out or hangs)",
        )

    def _only_handles_of(self, block: PoolBlock, key: SelfAttr) -> bool:
        """Every value the attribute (or the container it holds) gets is a placeholder or a handle
        queued in this block."""
        model = self.model
        flow = model.valueflow
        if flow.attribute_assigned_elsewhere(key):
            return False
        values = [s.expr for s in flow.attribute_sources(key) if not s.path and not s.items]
        if len(values) != len(flow.attribute_sources(key)):
            return False
        handles = [v for v in values if not (_is_none(v) or is_empty_container(v, model.names))]
        if any(is_empty_container(v, model.names) for v in values):
            stores = flow.stores(key)
            if any(s.path or s.items for s in stores):
                return False
            handles.extend(s.expr for s in stores)
        body = block.node.body
        return bool(handles) and all(
            isinstance(h, cst.Call) and model.contains(body, h) and _is_handle(model, h)
            for h in handles
        )

    def _in_return(self, name: cst.Name) -> bool:
        """The handle itself (not something computed from it) is returned."""
        return self.model.values.value_flow(name).how is FlowKind.RETURNED

    def _drain_fix(self, block: PoolBlock) -> Optional[FixSpec]:
        """``pool.close()`` and ``pool.join()`` appended to the block's body."""
        body = block.node.body
        if block.key is None or not isinstance(body, cst.IndentedBlock) or not body.body:
            return None
        item = block.item
        pool: cst.BaseExpression = item.asname.name if item.asname is not None else item.item
        if not isinstance(pool, (cst.Name, cst.Attribute)):
            return None
        last = body.body[-1]
        if isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], _ENDS_BLOCK):
            return None
        name = self.code_for(pool)
        return self.fix(Applicability.UNSAFE, InsertAfter(last, f"{name}.close()\n{name}.join()"))


# --- helpers of this rule ---
@dataclass(frozen=True)
class PoolBlock:
    """A ``with`` statement over a pool; ``key`` names the pool inside the block (when it is named)."""

    node: cst.With
    item: cst.WithItem
    kind: Kind
    key: Optional[VarKey]


def pool_blocks(model: Model) -> list[PoolBlock]:
    """``with`` statements over a pool (of processes or threads, any library): ``with Pool() as p:``,
    ``with ctx.Pool() as p:``, ``with pool:``. Their exit calls ``Pool.terminate()``. Executors are not
    included: their exit waits for the pending work (``shutdown(wait=True)``)."""
    out: list[PoolBlock] = []
    for item in model.tree.with_items:
        with_node = model.tree.parents.get(item)
        if not isinstance(with_node, cst.With) or with_node.asynchronous is not None:
            continue
        kind = model.kind_of(item.item)
        if kind is None or not kind.is_pool:
            continue
        key: Optional[VarKey] = None
        if item.asname is not None:
            if isinstance(item.asname.name, cst.Name):
                key = model.binding_key(item.asname.name)
        elif isinstance(item.item, (cst.Name, cst.Attribute)):
            key = model.binding_key(item.item)
        out.append(PoolBlock(with_node, item, kind, key))
    return out


def block_handles(model: Model, block: PoolBlock) -> list[tuple[cst.Call, Kind]]:
    """The handle calls (:meth:`handle_calls`) on the block's pool in the block's own body."""
    out: list[tuple[cst.Call, Kind]] = []
    function = model.enclosing_function_node(block.node)
    for call, kind in model.values.handle_calls():
        if not model.contains(block.node.body, call):
            continue
        if model.enclosing_function_node(call) is not function:
            continue
        func = call.func
        assert isinstance(func, cst.Attribute)
        receiver = func.value
        if receiver is block.item.item or (
            block.key is not None and model.binding_key(receiver) == block.key
        ):
            out.append((call, kind))
    return out


def helper_handles(model: Model, block: PoolBlock) -> list[cst.Call]:
    """Calls in the block's body of a function of the module given the block's pool, which queues
    work on it and hands back the handle (or a list of handles) without waiting for them:
    ``handles = submit_all(pool, paths)``."""
    out: list[cst.Call] = []
    function = model.enclosing_function_node(block.node)
    for call in model.flow.calls_within(block.node.body):
        if model.enclosing_function_node(call) is not function:
            continue
        helper = model.names.resolve_function(call.func)
        if not isinstance(helper, cst.FunctionDef):
            continue
        kind = model.kind_of(call)
        if kind is not None and kind.name is KindName.SEQUENCE:
            kind = kind.item
        if kind is None or kind.name not in _POOL_HANDLES or kind.creator is None:
            continue
        creator = kind.creator
        if not model.contains(helper, creator) or not isinstance(creator.func, cst.Attribute):
            continue
        binding = model.names.only_binding(creator.func.value)
        if binding is None or not isinstance(binding.node, cst.Param):
            continue
        if model.valueflow.function_of_param(binding.node) is not helper:
            continue
        given = model.valueflow.call_binds(helper, binding, call)
        if given is None or not (
            given is block.item.item
            or (block.key is not None and model.binding_key(given) == block.key)
        ):
            continue
        if any(
            isinstance(c.func, cst.Attribute) and c.func.attr.value in _WAITS
            for c in model.tree.calls_by_function.get(helper, [])
        ):
            continue  # it may wait for the work before handing the handles back
        out.append(call)
    return out


def _is_handle(model: Model, call: cst.Call) -> bool:
    kind = model.kind_of(call)
    return kind is not None and kind.creator is call and kind.name in _POOL_HANDLES


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def pool_drained(model: Model, block: PoolBlock, after: cst.CSTNode) -> bool:
    """The block calls ``close()`` and then ``join()`` on its pool after ``after``: every task queued
    before is done when the block exits."""
    if block.key is None:
        return False
    body = block.node.body
    calls = [
        c
        for c in model.calls_on(block.key, ("close", "join"))
        if model.contains(body, c) and model.precedes(after, c)
    ]
    closes = [
        c for c in calls if isinstance(c.func, cst.Attribute) and c.func.attr.value == "close"
    ]
    return any(
        model.precedes(close, join)
        for join in calls
        if isinstance(join.func, cst.Attribute) and join.func.attr.value == "join"
        for close in closes
    )
