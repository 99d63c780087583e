from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import Kind
from mplint.model import FlowKind, LocalVar, Model, VarKey, keyword_arg
from mplint.rule import Invalid, LintRule, Valid

_ENDS_BLOCK = (cst.Return, cst.Raise, cst.Break, cst.Continue)


class PoolResultsAfterWith(LintRule):
    """
    ## What it does
    Checks for work queued with `apply_async`, `map_async`, `starmap_async`, `imap` or
    `imap_unordered` inside a `with Pool() as pool:` block (any pool of processes or threads, any
    library of the family) whose result is only waited for after the block: a handle read after the
    block, a handle returned out of the block, or a handle dropped without the block ending with
    `pool.close()` and `pool.join()`.

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

    def _check(self, block: PoolBlock, call: cst.Call) -> None:
        model = self.model
        flow = model.values.value_flow(call)
        if flow.how is FlowKind.DISCARDED:
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
        elif (
            flow.how in (FlowKind.ASSIGNED, FlowKind.STORED)
            and flow.key is not None
            and isinstance(flow.key, LocalVar)
        ):
            self._check_variable(block, call, flow.key)

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
