from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.api_table import (
    ASYNC_RESULT_METHODS,
    EXECUTOR_MAP_ITERATOR_METHODS,
    FUTURE_METHODS,
    POOL_MAP_ITERATOR_METHODS,
)
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertBefore
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import VarKey
from mplint.rule import Invalid, LintRule, Valid

#: Methods people reach for on the wrong handle: the API of the other handles, of Pool and Process.
_CONFUSED = frozenset(
    {
        *ASYNC_RESULT_METHODS,
        *FUTURE_METHODS,
        "next",
        "terminate",
        "close",
        "join",
        "kill",
        "is_alive",
        "start",
    }
)


class AsyncresultApiMisuse(LintRule):
    """
    ## What it does
    Checks for `AsyncResult.successful()` called before the result is known to be ready, and for
    methods that a pool or executor handle does not have: `terminate()`, `join()`, `result()`,
    `cancel()` … on an `AsyncResult`; `get()`, `wait()`, `successful()` … on a `Future` or on the
    iterator of `imap`/`executor.map`.

    ## Why is this bad?
    - `successful()` on a result that is not ready raises
      `ValueError: <multiprocessing.pool.ApplyResult object at 0x...> not ready`
      (`multiprocessing/pool.py` `ApplyResult.successful`; `AssertionError` before Python 3.7).
    - `r.terminate()` raises `AttributeError: 'ApplyResult' object has no attribute 'terminate'`: it is
      `Pool.terminate()`. Likewise `future.get()` raises
      `AttributeError: 'Future' object has no attribute 'get'` (it is `result()`), and
      `pool.imap(...).get()` raises `AttributeError: 'IMapIterator' object has no attribute 'get'`.

    `successful()` is not reported when a `wait()`, `get()` or `ready()` on the same handle, or a
    `join()` of the pool that made it, comes before it. Results of `billiard` pools have a larger API
    and are not checked for unknown methods.

    ## Example
    ```python
    r = pool.apply_async(work, (x,))
    if r.successful():
        ...
    r.terminate()
    ```

    Use instead:
    ```python
    r = pool.apply_async(work, (x,))
    r.wait()
    if r.successful():
        ...
    pool.terminate()
    ```

    ## Fix safety
    Inserting `r.wait()` before the statement that calls `r.successful()` is unsafe: the code now blocks
    until the task is done. A method the handle does not have has no automatic fix.

    ## References
    - [`AsyncResult.successful`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.AsyncResult.successful):
      "Return whether the call completed without raising an exception. Will raise ValueError if the
      result is not ready."
    """

    CODE = "MPL306"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "asyncresult-api-misuse"
    MESSAGE = "`{call}` {problem}"
    FIX_TITLE = "Wait for the result before asking whether it succeeded"
    SEVERITY = Severity.ERROR
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    r = pool.apply_async(f, (1,))
                    r.wait()
                    return r.successful()
            """
        ),
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    r = pool.apply_async(f, (1,))
                    if r.ready() and r.successful():
                        return r.get()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    r = pool.apply_async(f, (1,))
                    if r.successful():
                        return r.get()
            """,
            fixed="""
            from multiprocessing import Pool
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    r = pool.apply_async(f, (1,))
                    r.wait()
                    if r.successful():
                        return r.get()
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    r = pool.apply_async(f, (1,))
                    r.terminate()
            """
        ),
        Invalid(
            """
            from concurrent.futures import ProcessPoolExecutor
            def f(x): return x
            def go():
                with ProcessPoolExecutor() as ex:
                    return ex.submit(f, 1).get()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for method in sorted(_CONFUSED):
            for call in model.tree.method_calls.get(method, []):
                found = model.method_call(call)
                if found is None:
                    continue
                kind = found[0]
                missing = self._missing(kind, method)
                if missing is not None:
                    self.report(
                        call,
                        call=self.snippet(call),
                        problem=f"raises AttributeError: {missing} has no `{method}()`",
                    )
                elif kind.name is KindName.ASYNC_RESULT and method == "successful":
                    assert isinstance(call.func, cst.Attribute)
                    self._check_successful(call, call.func.value, kind)

    def _missing(self, kind: Kind, method: str) -> Optional[str]:
        """The handle's description when it has no such method, else None."""
        if kind.name is KindName.ASYNC_RESULT and kind.family != "billiard":
            return None if method in ASYNC_RESULT_METHODS else "an AsyncResult"
        if kind.name is KindName.FUTURE:
            return None if method in FUTURE_METHODS else "a Future"
        if kind.name is KindName.MAP_ITERATOR:
            if kind.family == "concurrent.futures":
                return (
                    None
                    if method in EXECUTOR_MAP_ITERATOR_METHODS
                    else "the iterator of `Executor.map`"
                )
            if kind.family != "billiard":
                return None if method in POOL_MAP_ITERATOR_METHODS else "the iterator of `imap`"
        return None

    # --- successful() before the result is ready ------------------------------------------------------
    def _check_successful(self, call: cst.Call, receiver: cst.BaseExpression, kind: Kind) -> None:
        model = self.model
        function = model.enclosing_function_node(call)
        key = model.binding_key(receiver)
        if key is not None:
            for other in model.calls_on(key, ASYNC_RESULT_METHODS):
                if (
                    other is not call
                    and model.precedes(other, call)
                    and model.enclosing_function_node(other) is function
                ):
                    return
        elif not (isinstance(receiver, cst.Call) and kind.creator is receiver):
            return  # ``results[i].successful()``: which handle it is cannot be told
        if self._pool_joined_before(kind, call):
            return
        self.report(
            call,
            fix=self._wait_fix(call, receiver, key),
            call=self.snippet(call),
            problem="raises ValueError when the result is not ready yet; call `wait()` first",
        )

    def _pool_joined_before(self, kind: Kind, call: cst.Call) -> bool:
        model = self.model
        creator = kind.creator
        if creator is None:
            return True  # unknown origin: stay silent
        owner = model.values.handle_owner(creator)
        if owner is None:
            return True
        pool_key = model.binding_key(owner[0])
        if pool_key is None:
            return True
        return any(model.precedes(join, call) for join in model.calls_on(pool_key, ("join",)))

    def _wait_fix(
        self, call: cst.Call, receiver: cst.BaseExpression, key: Optional[VarKey]
    ) -> Optional[FixSpec]:
        model = self.model
        if key is None or not isinstance(receiver, cst.Name):
            return None
        statement = model.statement_of(call)
        if statement is None or model.tree.block_of(statement) is None:
            return None  # an ``elif`` test, a one-line suite …
        if isinstance(statement, (cst.While, cst.For, cst.With)):
            return None
        if model.enclosing_function_node(statement) is not model.enclosing_function_node(call):
            return None  # inside a lambda or comprehension of its own
        for binding in model.lookup(receiver.value, receiver):
            if binding.iterates and model.contains(statement, binding.node):
                return None  # bound by a comprehension inside the statement
        return self.fix(Applicability.UNSAFE, InsertBefore(statement, f"{receiver.value}.wait()"))
