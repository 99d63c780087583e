from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, Replace
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import FlowKind, FunctionNode, LocalVar, Model, keyword_arg, positional_args
from mplint.model.syntax import scope_descendants
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import is_docstring

#: Methods whose discarded result can be consumed by wrapping the call (``list(...)``/``.get()``).
_LIST_WRAPPABLE = frozenset({"imap", "imap_unordered", "map"})
_GET_APPENDABLE = frozenset({"map_async", "starmap_async"})


class UncheckedAsyncResult(LintRule):
    """
    ## What it does
    Checks for the handle of queued work that nobody ever looks at: the `AsyncResult` of
    `apply_async`/`map_async`/`starmap_async` and the iterator of `imap`/`imap_unordered` on a pool
    (of processes or threads), the `Future` of `executor.submit` and the lazy iterator of
    `executor.map`: dropped as a statement, or bound to a variable (or put in a container) that is never
    read.

    ## Why is this bad?
    An exception raised by the task is stored on its handle (`multiprocessing/pool.py`
    `ApplyResult._set`; `concurrent.futures` keeps it on the `Future`) and only re-raised by `get()` or
    `result()`. When the handle is dropped, failing tasks are **silently** lost: `pool.close();
    pool.join()` or the executor's `with` block ends normally and the program reports success.
    `executor.map` submits every task at once but raises only while its iterator is consumed.

    Not reported: `error_callback=` is given, the handle is returned, passed to a function, stored and
    read later, `add_done_callback` is called on it, the variable starts with `_` (a deliberate
    discard), or the task function catches every exception itself (its body is one `try` with an
    `except Exception:` that does not re-raise, besides statements that cannot realistically raise:
    guard clauses such as `if not url: return`, assignments without calls, indexing or arithmetic).

    ## Example
    ```python
    for job in jobs:
        pool.apply_async(process, (job,))
    pool.close()
    pool.join()
    ```

    Use instead:
    ```python
    handles = [pool.apply_async(process, (job,)) for job in jobs]
    pool.close()
    pool.join()
    for handle in handles:
        handle.get()  # re-raises the worker's exception
    ```
    or pass `error_callback=` to log failures.

    ## Fix safety
    A dropped `executor.map(...)`, `pool.imap(...)` or `pool.imap_unordered(...)` is wrapped in
    `list(...)`, and `.get()` is appended to a dropped `map_async(...)`/`starmap_async(...)`: the call now
    waits for every task and re-raises the first error, which changes when the code blocks and whether
    it fails, so the fix is unsafe. Dropped `apply_async`/`submit` handles have no automatic fix.

    ## References
    - [`AsyncResult.get`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.AsyncResult.get):
      "If the remote call raised an exception then that exception will be reraised by get()."
    - [`Executor.map`](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Executor.map):
      "If a func call raises an exception, then that exception will be raised when its value is retrieved
      from the iterator."
    """

    CODE = "MPL303"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "unchecked-async-result"
    MESSAGE = "`{call}` {problem}: an exception raised by the task is never seen"
    FIX_TITLE = "Wait for the results (re-raises the first error)"
    SEVERITY = Severity.WARNING
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return 1 / x
            def go(xs):
                pool = Pool(2)
                handles = [pool.apply_async(f, (x,)) for x in xs]
                pool.close()
                pool.join()
                return [h.get() for h in handles]
            """
        ),
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return 1 / x
            def go(pool, xs):
                for x in xs:
                    pool.apply_async(f, (x,), error_callback=print)
            """
        ),
        Valid(
            """
            from concurrent.futures import ProcessPoolExecutor, as_completed
            def f(x): return 1 / x
            def go(xs):
                with ProcessPoolExecutor() as ex:
                    futures = [ex.submit(f, x) for x in xs]
                    for fut in as_completed(futures):
                        print(fut.result())
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def f(x): return 1 / x
            def go(xs):
                pool = Pool(2)
                for x in xs:
                    pool.apply_async(f, (x,))
                pool.close()
                pool.join()
            """
        ),
        Invalid(
            """
            from concurrent.futures import ProcessPoolExecutor
            def f(x): return 1 / x
            def go(xs):
                with ProcessPoolExecutor() as ex:
                    ex.map(f, xs)
            """,
            fixed="""
            from concurrent.futures import ProcessPoolExecutor
            def f(x): return 1 / x
            def go(xs):
                with ProcessPoolExecutor() as ex:
                    list(ex.map(f, xs))
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from concurrent.futures import ThreadPoolExecutor
            def f(x): return 1 / x
            def go(xs):
                with ThreadPoolExecutor() as ex:
                    future = ex.submit(f, 0)
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for call, kind in model.values.handle_calls():
            owner = model.values.handle_owner(call)
            if owner is None or keyword_arg(call, "error_callback") is not None:
                continue
            if self._task_swallows_errors(call):
                continue
            flow = model.values.value_flow(call)
            if flow.how is FlowKind.DISCARDED:
                self.report(
                    call,
                    fix=self._wait_fix(call, flow.node, owner[1]),
                    call=self.snippet(call),
                    problem=f"drops its {_handle_name(kind)}",
                )
                continue
            if (
                flow.how not in (FlowKind.ASSIGNED, FlowKind.STORED)
                or flow.key is None
                or not isinstance(flow.key, LocalVar)
            ):
                continue
            if flow.key.name.startswith("_") or model.names.container_reads(flow.key):
                continue
            self.report(
                call,
                call=self.snippet(call),
                problem=f"keeps its {_handle_name(kind)} in `{flow.key.name}`, which is never read",
            )

    def _task_swallows_errors(self, call: cst.Call) -> bool:
        positional = positional_args(call)
        if not positional:
            return False
        function = self.model.names.resolve_function(positional[0].value)
        return function is not None and swallows_errors(self.model, function)

    def _wait_fix(self, call: cst.Call, statement: cst.CSTNode, owner: Kind) -> Optional[FixSpec]:
        """``list(...)`` around a dropped lazy map, ``.get()`` after a dropped ``map_async``."""
        if not (isinstance(statement, cst.Expr) and statement.value is call):
            return None
        func = call.func
        assert isinstance(func, cst.Attribute)
        method = func.attr.value
        code = self.code_for(call)
        if method in _LIST_WRAPPABLE and (owner.is_executor or method != "map"):
            if self.model.lookup("list", call):
                return None  # ``list`` is rebound here
            return self.fix(Applicability.UNSAFE, Replace(call, f"list({code})"))
        if method in _GET_APPENDABLE and owner.is_pool:
            return self.fix(Applicability.UNSAFE, Replace(call, f"{code}.get()"))
        return None


def _handle_name(kind: Kind) -> str:
    if kind.name is KindName.FUTURE:
        return "Future"
    if kind.name is KindName.ASYNC_RESULT:
        return "AsyncResult"
    return "result iterator"


# --- helpers of this rule ---


#: Node types that can raise in ordinary code: calls (but :data:`_SAFE_BUILTINS`), indexing, arithmetic,
#: and statements that raise, import, iterate, enter a context or await.
_MAY_RAISE = (
    cst.Call,
    cst.Subscript,
    cst.BinaryOperation,
    cst.AugAssign,
    cst.Raise,
    cst.Assert,
    cst.Del,
    cst.Import,
    cst.ImportFrom,
    cst.With,
    cst.For,
    cst.While,
    cst.Try,
    cst.TryStar,
    cst.Await,
    cst.Yield,
)
_SAFE_BUILTINS = frozenset(
    {"builtins.isinstance", "builtins.callable", "builtins.len", "builtins.bool", "builtins.id"}
)


def _inert(model: Model, statement: cst.CSTNode) -> bool:
    """A statement that cannot realistically raise: a guard clause (``if not url: return``), a plain
    assignment (``result = None``), ``pass``, ``return name`` — no call but a few builtins, no
    indexing, no arithmetic."""
    for node in (statement, *scope_descendants(statement)):
        if isinstance(node, cst.Call) and model.qualname(node.func) in _SAFE_BUILTINS:
            continue
        if isinstance(node, _MAY_RAISE):
            return False
    return True


def swallows_errors(model: Model, function: FunctionNode) -> bool:
    """The function's body (after its docstring) is one ``try`` with a handler for every error (bare,
    ``Exception`` or ``BaseException``) that does not re-raise, and statements that cannot
    realistically raise (:func:`_inert`: guard clauses, plain assignments): no exception ever leaves
    it."""
    body = function.body
    if not isinstance(body, cst.IndentedBlock):
        return False
    statements = list(body.body)
    if statements and is_docstring(statements[0]):
        statements = statements[1:]
    trys = [s for s in statements if isinstance(s, cst.Try)]
    if len(trys) != 1 or not all(s is trys[0] or _inert(model, s) for s in statements):
        return False
    for handler in trys[0].handlers:
        caught = handler.type
        names = [e.value for e in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
        if caught is not None and not any(
            n is not None and model.qualname(n) in ("builtins.Exception", "builtins.BaseException")
            for n in names
        ):
            continue
        return not any(isinstance(node, cst.Raise) for node in scope_descendants(handler.body))
    return False
