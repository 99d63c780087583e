from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, NodeEdit, Replace
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import KindName
from mplint.model import Model, call_argument
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import spelling_with_import

_FUTURES_TIMEOUT = "concurrent.futures.TimeoutError"
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


class WrongTimeoutException(LintRule):
    """
    ## What it does
    Checks `try` statements around a wait with a timeout whose handler names the wrong `TimeoutError`:
    `AsyncResult.get(timeout)` or `imap(...).next(timeout)` of a pool handled only by the builtin
    `TimeoutError` (or `concurrent.futures.TimeoutError`, `asyncio.TimeoutError`, `socket.timeout`),
    and, the other way round, `Future.result(timeout)`, `Future.exception(timeout)` or
    `as_completed(fs, timeout)` handled only by `multiprocessing.TimeoutError`.

    ## Why is this bad?
    `AsyncResult.get(timeout)` raises `multiprocessing.context.TimeoutError`
    (`multiprocessing/pool.py` `ApplyResult.get`), a subclass of `multiprocessing.ProcessError` that only
    shares its name with the builtin: `except TimeoutError:` does not catch it, and the timeout escapes
    as an unhandled exception. Conversely `Future.result(timeout)` raises
    `concurrent.futures.TimeoutError` (the builtin `TimeoutError` from Python 3.11 on), which
    `except multiprocessing.TimeoutError:` does not catch. `multiprocess`, `billiard` and
    `torch.multiprocessing` pools raise their own `TimeoutError` the same way.

    A handler naming `multiprocessing.dummy.TimeoutError` (the module re-exports `Pool` and the
    process API but none of the exception classes: no `TimeoutError`, `ProcessError`,
    `AuthenticationError` or `BufferTooShort`) is worse: when the timeout reaches the `except`
    clause, evaluating it raises `AttributeError: module 'multiprocessing.dummy' has no attribute
    'TimeoutError'`, chained to the timeout. A `ThreadPool`'s `get(timeout)` raises
    `multiprocessing.TimeoutError`.

    With `target-version` below `py311`, `except TimeoutError:` around `Future.result(timeout)` is
    reported too: before 3.11 `concurrent.futures.TimeoutError` is a class of its own.

    Not reported: `from multiprocessing import TimeoutError` (the name is then the right class),
    handlers that also name the right class, `ProcessError`, `Exception` or `BaseException`, and
    handlers whose class cannot be resolved.

    ## Example
    ```python
    try:
        value = res.get(timeout=5)
    except TimeoutError:
        value = None
    ```

    Use instead:
    ```python
    try:
        value = res.get(timeout=5)
    except (TimeoutError, multiprocessing.TimeoutError):
        value = None
    ```

    ## Fix safety
    The handler is widened to a tuple naming both classes (importing `multiprocessing` or
    `concurrent.futures` when needed). This is safe: the handler still catches everything it caught, and
    now also the timeout it was written for. A `multiprocessing.dummy` name that does not exist is
    replaced by `multiprocessing.TimeoutError` instead (also safe: the handler could only raise
    `AttributeError`). The futures timeout is written
    `concurrent.futures.TimeoutError`, the class raised on every Python version (the builtin
    `TimeoutError` is the same class only from 3.11 on); there is no fix when it cannot be spelled
    without shadowing a name.

    ## References
    - [`AsyncResult.get`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.AsyncResult.get):
      "If timeout is not None and the result does not arrive within timeout seconds then
      multiprocessing.TimeoutError is raised."
    - [`concurrent.futures.TimeoutError`](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.TimeoutError):
      "Changed in version 3.11: This class was made an alias of TimeoutError."
    """

    CODE = "MPL308"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "wrong-timeout-exception"
    MESSAGE = "`except {caught}` does not catch the `{raised}` that `{call}` raises"
    FIX_TITLE = "Catch both timeout classes"
    SEVERITY = Severity.ERROR
    FIX = "safe"

    VALID = [
        Valid(
            """
            import multiprocessing
            def go(res):
                try:
                    return res.get(timeout=5)
                except multiprocessing.TimeoutError:
                    return None
            """
        ),
        Valid(
            """
            from multiprocessing import Pool, TimeoutError
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    res = pool.apply_async(f, (1,))
                    try:
                        return res.get(timeout=5)
                    except TimeoutError:
                        return None
            """
        ),
        Valid(
            """
            from concurrent.futures import ProcessPoolExecutor
            def f(x): return x
            def go():
                with ProcessPoolExecutor() as ex:
                    fut = ex.submit(f, 1)
                    try:
                        return fut.result(timeout=5)
                    except TimeoutError:
                        return None
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp
            def f(x): return x
            def go():
                with mp.Pool(2) as pool:
                    res = pool.apply_async(f, (1,))
                    try:
                        return res.get(timeout=5)
                    except TimeoutError:
                        return None
            """,
            fixed="""
            import multiprocessing as mp
            def f(x): return x
            def go():
                with mp.Pool(2) as pool:
                    res = pool.apply_async(f, (1,))
                    try:
                        return res.get(timeout=5)
                    except (TimeoutError, mp.TimeoutError):
                        return None
            """,
        ),
        Invalid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    res = pool.apply_async(f, (1,))
                    try:
                        return res.get(5)
                    except (TimeoutError, ValueError):
                        return None
            """,
            fixed="""
            from multiprocessing import Pool
            import multiprocessing
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    res = pool.apply_async(f, (1,))
                    try:
                        return res.get(5)
                    except (TimeoutError, multiprocessing.TimeoutError, ValueError):
                        return None
            """,
        ),
    ]

    def check(self) -> None:
        model = self.model
        candidates = [
            call
            for method in ("get", "next", "result", "exception")
            for call in model.tree.method_calls.get(method, [])
        ]
        candidates.extend(
            call
            for call in model.tree.calls
            if model.qualname(call.func) == "concurrent.futures.as_completed"
        )
        for call in candidates:
            raised = timeout_raised(model, call)
            if raised is not None:
                self._check(call, raised)

    def _check(self, call: cst.Call, raised: str) -> None:
        model = self.model
        modern = self._futures_timeout_is_builtin()
        for ancestor in model.ancestors(call):
            if isinstance(ancestor, _SCOPES):
                return
            if not isinstance(ancestor, (cst.Try, cst.TryStar)) or not model.contains(
                ancestor.body, call
            ):
                continue
            verdicts: list[tuple[cst.BaseExpression, Optional[str]]] = []
            for handler in ancestor.handlers:
                if handler.type is None:
                    return  # a bare ``except:`` catches it
                verdict = timeout_catch(
                    model, handler.type, raised, futures_timeout_is_builtin=modern
                )
                verdicts.append((handler.type, verdict))
            if any(v in ("catches", None) for _, v in verdicts):
                return
            for caught, verdict in verdicts:
                if verdict != "wrong":
                    continue
                self.report(
                    caught,
                    fix=self._widen_fix(caught, raised),
                    once=caught,
                    caught=self.snippet(caught),
                    raised=raised,
                    call=self.snippet(call),
                )
            if any(v == "wrong" for _, v in verdicts):
                return

    def _futures_timeout_is_builtin(self) -> bool:
        """``concurrent.futures.TimeoutError`` is the builtin from Python 3.11; unknown target: assume so."""
        version = self.config.target_version
        return version is None or int(version[len("py3") :]) >= 11

    def _missing(self, expr: cst.BaseExpression) -> bool:
        qual = self.model.qualname(expr)
        return qual is not None and missing_dummy_exception(qual)

    # --- fix ---------------------------------------------------------------------------------------------
    def _widen_fix(self, caught: cst.BaseExpression, raised: str) -> Optional[FixSpec]:
        model = self.model
        modern = self._futures_timeout_is_builtin()
        # ``concurrent.futures.TimeoutError`` is the futures timeout on every version; the builtin
        # ``TimeoutError`` only from 3.11 on.
        spelling = spelling_with_import(model, raised, caught)
        if spelling is None:
            return None
        text, import_edits = spelling
        edits: list[NodeEdit] = []
        elements = caught.elements if isinstance(caught, cst.Tuple) else None
        wrong = [
            e.value
            for e in (elements or [])
            if timeout_catch(model, e.value, raised, futures_timeout_is_builtin=modern) == "wrong"
        ]
        missing = [e for e in (wrong if elements is not None else [caught]) if self._missing(e)]
        if missing:
            # the name does not exist: widening would still evaluate it; replace it instead
            edits.append(Replace(missing[0], text))
        elif elements is not None and caught.lpar:
            if not wrong:
                return None
            edits.append(Replace(wrong[0], f"{self.code_for(wrong[0])}, {text}"))
        elif elements is None:
            edits.append(Replace(caught, f"({self.code_for(caught)}, {text})"))
        else:
            return None  # ``except A, B`` is not Python 3
        return self.fix(Applicability.SAFE, *edits, *import_edits)


# --- helpers of this rule ---
_FUTURES_TIMEOUT_NAMES = frozenset(
    {"concurrent.futures.TimeoutError", "concurrent.futures._base.TimeoutError"}
)


#: Names of the builtin ``TimeoutError`` (``asyncio``'s is an alias from 3.11, ``socket.timeout`` from 3.10).
_BUILTIN_TIMEOUT_NAMES = frozenset(
    {
        "builtins.TimeoutError",
        "asyncio.TimeoutError",
        "asyncio.exceptions.TimeoutError",
        "socket.timeout",
    }
)


def _mp_timeout_name(qualname: str) -> bool:
    """``multiprocessing.TimeoutError`` (or ``ProcessError``, its base) of any library of the family."""
    module, _, name = qualname.rpartition(".")
    if name not in ("TimeoutError", "ProcessError"):
        return False
    split = api_table.split_family(module)
    return split is not None and split[1] in ("", "context", "exceptions")


#: Exception classes of ``multiprocessing`` that ``multiprocessing.dummy`` does not re-export.
_MISSING_FROM_DUMMY = frozenset(
    {"TimeoutError", "ProcessError", "AuthenticationError", "BufferTooShort"}
)


def missing_dummy_exception(qualname: str) -> bool:
    """``multiprocessing.dummy.TimeoutError`` (of any library of the family): a name that module
    lacks, so evaluating it raises ``AttributeError``."""
    split = api_table.split_family(qualname)
    if split is None:
        return False
    module, _, name = split[1].rpartition(".")
    return module == "dummy" and name in _MISSING_FROM_DUMMY


def _has_timeout(argument: Optional[cst.BaseExpression]) -> bool:
    return argument is not None and not (
        isinstance(argument, cst.Name) and argument.value == "None"
    )


def timeout_raised(model: Model, call: cst.Call) -> Optional[str]:
    """The exception class a call raises when its timeout expires, when it has one:
    ``<library>.TimeoutError`` for ``AsyncResult.get(timeout)`` and ``IMapIterator.next(timeout)`` of
    pools (``multiprocessing``, ``multiprocess``, ``billiard``, ``torch.multiprocessing``), and
    ``concurrent.futures.TimeoutError`` for ``Future.result(timeout)``/``exception(timeout)`` and
    ``concurrent.futures.as_completed(fs, timeout)``."""
    func = call.func
    if model.qualname(func) == "concurrent.futures.as_completed":
        return _FUTURES_TIMEOUT if _has_timeout(call_argument(call, 1, "timeout")) else None
    found = model.method_call(call)
    if found is None:
        return None
    kind, method = found
    timeout = call_argument(call, 0, "timeout")
    if not _has_timeout(timeout):
        return None
    if (kind.name is KindName.ASYNC_RESULT and method == "get") or (
        kind.name is KindName.MAP_ITERATOR
        and kind.family != "concurrent.futures"
        and method == "next"
    ):
        root = "multiprocessing" if kind.family == "multiprocessing.dummy" else kind.family
        return f"{root}.TimeoutError"
    if kind.name is KindName.FUTURE and method in ("result", "exception"):
        return _FUTURES_TIMEOUT
    return None


def timeout_catch(
    model: Model, expr: cst.BaseExpression, raised: str, *, futures_timeout_is_builtin: bool = True
) -> Optional[str]:
    """Whether the ``except`` expression ``expr`` catches the timeout ``raised`` (a result of
    :meth:`timeout_raised`): ``"catches"``; ``"wrong"`` when it names another library's
    ``TimeoutError`` (which does not); ``"misses"``; None when it cannot be told.

    ``multiprocessing.TimeoutError`` (``multiprocessing/context.py``: ``class TimeoutError(ProcessError)``)
    is not the builtin ``TimeoutError``; ``concurrent.futures.TimeoutError`` is the builtin from
    Python 3.11 on (``futures_timeout_is_builtin``), a class of its own before.
    """
    if isinstance(expr, cst.Tuple):
        results = [
            timeout_catch(
                model, e.value, raised, futures_timeout_is_builtin=futures_timeout_is_builtin
            )
            for e in expr.elements
        ]
        if any(
            (qual := model.qualname(e.value)) is not None and missing_dummy_exception(qual)
            for e in expr.elements
        ):
            return "wrong"  # evaluating the tuple raises ``AttributeError``
        if "catches" in results:
            return "catches"
        if None in results:
            return None
        return "wrong" if "wrong" in results else "misses"
    if model.names.resolve_class(expr) is not None:
        return "misses"
    qual = model.qualname(expr)
    if qual is None:
        return None
    if qual in ("builtins.Exception", "builtins.BaseException"):
        return "catches"
    if missing_dummy_exception(qual):
        return "wrong"  # ``AttributeError`` when the handler is evaluated
    mp_timeout = _mp_timeout_name(qual)
    if raised == _FUTURES_TIMEOUT:
        if qual in _FUTURES_TIMEOUT_NAMES:
            return "catches"
        if qual in _BUILTIN_TIMEOUT_NAMES or qual == "builtins.OSError":
            if futures_timeout_is_builtin:
                return "catches"
            return "wrong" if qual != "builtins.OSError" else "misses"
        if mp_timeout:
            return "wrong"
    else:
        if mp_timeout:
            return "catches"
        if qual in _FUTURES_TIMEOUT_NAMES or qual in _BUILTIN_TIMEOUT_NAMES:
            return "wrong"
    if qual.startswith("builtins."):
        return "misses"
    return None
