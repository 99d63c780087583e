from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, Replace
from mplint.gate_shapes import QUEUE_EXCEPTION
from mplint.gates import FUTURES, PROCESSES, THREADS, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import Model, call_argument
from mplint.model.syntax import root_name
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import spelling_with_import


class QueueExceptionMismatch(LintRule):
    """
    ## What it does
    Checks `except` clauses around queue operations for an exception that does not exist or is never
    raised there:
    - `except Queue.Empty` / `except mp.Queue.Full` / `except q.Empty`: the queue class, factory or
      instance has no such attribute (the exceptions live in the `queue` module);
    - `except multiprocessing.Empty`: not in the `multiprocessing` namespace either;
    - a bare `Empty`/`Full` that nothing in the module defines;
    - a `try` whose `put_nowait()` (or `put(block=False)`, `put(timeout=...)`) on a bounded queue can
      raise `queue.Full` while the handlers catch only `queue.Empty`, and a `get_nowait()` (or
      `get(block=False)`, `get(timeout=...)`) guarded only by `queue.Full`.

    ## Why is this bad?
    The expression of an `except` clause is only evaluated when an exception propagates, so the bug
    hides until the queue really is empty or full. Then, while handling `_queue.Empty`, Python raises
    `AttributeError: 'function' object has no attribute 'Empty'` (`multiprocessing.Queue` is a
    function; `queue.Queue.Empty` gives `AttributeError: type object 'Queue' has no attribute 'Empty'`),
    or `NameError: name 'Empty' is not defined`.

    `put` never raises `queue.Empty`: on a full queue `multiprocessing/queues.py` `Queue.put` raises
    `queue.Full`, which escapes a handler written for `Empty` (and `get` raises `queue.Empty`, never
    `Full`). A tutorial claim that `put(block=False)` raises `Queue.Empty` is wrong on both counts.

    Handlers that also catch a common base (`Exception`), a class the module cannot see, or a variable
    are not reported; neither is `put` on a queue created without a positive `maxsize` (it never fills).

    ## Example
    ```python
    from multiprocessing import Queue

    q = Queue(maxsize=1)
    try:
        item = q.get_nowait()
    except Queue.Empty:
        item = None
    try:
        q.put_nowait(item)
    except queue.Empty:
        pass
    ```

    Use instead:
    ```python
    from multiprocessing import Queue
    import queue

    q = Queue(maxsize=1)
    try:
        item = q.get_nowait()
    except queue.Empty:
        item = None
    try:
        q.put_nowait(item)
    except queue.Full:
        pass
    ```

    ## Fix safety
    The fix spells the exception `queue.Empty`/`queue.Full` (reusing an import of `queue` or of the
    class when one is visible, else adding `import queue`) and is safe: the original clause could only
    raise, or never matched. Where the body may also raise the exception that was caught (another
    `get`, or a call the rule cannot see into), the clause catches both: `(queue.Empty, queue.Full)`.
    No fix is offered when `queue` and the class name are both taken by other variables there.

    ## References
    - [`multiprocessing.Queue.get`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Queue.get):
      "raises the `queue.Empty` exception"; `put`: "raises the `queue.Full` exception".
    - [`queue.Empty` and `queue.Full`](https://docs.python.org/3/library/queue.html#queue.Empty): they
      are "Exception raised when non-blocking `get()` (`put()`) is called on a Queue object which is
      empty (full)".
    """

    CODE = "MPL502"
    GATE = Gate.of(
        needs(PROCESSES | FUTURES, "Empty|Full"),
        needs(THREADS, "Empty|Full", shapes=(QUEUE_EXCEPTION,)),
    )
    NAME = "queue-exception-mismatch"
    MESSAGE = "{problem}"
    FIX_TITLE = "Catch the exception the queue raises"
    SEVERITY = Severity.ERROR
    FIX = "safe"

    _rewritten: set[Optional[cst.Name]]

    VALID = [
        Valid(
            """
            import multiprocessing as mp
            from queue import Empty
            q = mp.Queue()
            try:
                q.get_nowait()
            except Empty:
                pass
            """
        ),
        Valid(
            """
            import multiprocessing, queue
            q = multiprocessing.Queue(4)
            try:
                q.put_nowait(1)
            except (queue.Empty, Exception):
                pass
            """
        ),
        Valid(
            """
            import multiprocessing, queue
            q = multiprocessing.Queue()
            try:
                q.put_nowait(1)
            except queue.Empty:
                pass
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Queue
            q = Queue()
            try:
                item = q.get(timeout=1)
            except Queue.Empty:
                item = None
            """,
            fixed="""
            from multiprocessing import Queue
            import queue
            q = Queue()
            try:
                item = q.get(timeout=1)
            except queue.Empty:
                item = None
            """,
        ),
        Invalid(
            """
            import multiprocessing as mp
            import queue
            q = mp.Queue(maxsize=2)
            try:
                q.put(1, block=False)
            except queue.Empty:
                pass
            """,
            fixed="""
            import multiprocessing as mp
            import queue
            q = mp.Queue(maxsize=2)
            try:
                q.put(1, block=False)
            except queue.Full:
                pass
            """,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def drain(q):
                try:
                    return q.get_nowait()
                except Empty:
                    return None
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        handlers = model.tree.nodes_of(cst.ExceptHandler)
        if not handlers:
            return
        bad: dict[cst.BaseExpression, str] = {}
        for handler in handlers:
            if handler.type is not None:
                for element in _elements(handler.type):
                    exception = self._missing_exception(element)
                    if exception is not None:
                        bad[element] = exception
        # Names whose use disappears with the fixes: an import only they use would be left unused.
        self._rewritten = {root_name(element) for element in bad}
        for element, exception in bad.items():
            self._report_spelling(element, exception)
        for node in model.tree.nodes_of(cst.Try):
            self._check_mismatch(node)

    # --- exceptions that do not exist ----------------------------------------------------------------
    def _missing_exception(self, element: cst.BaseExpression) -> Optional[str]:
        """``Empty``/``Full`` when ``element`` names one of them where it does not exist."""
        model = self.model
        if isinstance(element, cst.Attribute) and element.attr.value in ("Empty", "Full"):
            owner = element.value
            qual = model.qualname(owner)
            kind = api_table.constructor_kind(qual) if qual is not None else None
            if (
                (kind is not None and api_table.is_queue_kind_name(kind.name))
                or self._is_queue_factory_attribute(owner)
                or self._is_queue_instance(owner)
                or (qual is not None and api_table.split_family(qual) == (qual, ""))
            ):
                return element.attr.value  # ``multiprocessing.Empty`` is no name either
        elif (
            isinstance(element, cst.Name)
            and element.value in ("Empty", "Full")
            and not model.lookup(element.value, element)
            and not model.names.star_imports
        ):
            return element.value
        return None

    def _report_spelling(self, element: cst.BaseExpression, exception: str) -> None:
        if isinstance(element, cst.Attribute):
            what = f"`{self.code_for(element.value)}` has no attribute `{exception}`"
            error = "AttributeError"
        else:
            what = f"`{exception}` is not defined"
            error = "NameError"
        fix = self._replace_fix(element, f"queue.{exception}")
        self.report(
            element,
            fix=fix,
            once=element,
            problem=f"{what}: this `except` raises {error} instead of catching; "
            f"use `queue.{exception}`",
        )

    def _is_queue_factory_attribute(self, expr: cst.BaseExpression) -> bool:
        """``ctx.Queue`` / ``manager.Queue``: a method that makes a queue."""
        if not isinstance(expr, cst.Attribute):
            return False
        receiver = self.model.kind_of(expr.value)
        if receiver is None:
            return False
        result = api_table.method_result_kind(receiver, expr.attr.value)
        return result is not None and api_table.is_queue_kind_name(result.name)

    def _is_queue_instance(self, expr: cst.BaseExpression) -> bool:
        kind = self.model.kind_of(expr)
        return kind is not None and api_table.is_queue_kind_name(kind.name)

    # --- put guarded by Empty, get guarded by Full ---------------------------------------------------
    def _check_mismatch(self, try_node: cst.Try) -> None:
        model = self.model
        raised: dict[str, cst.Call] = {}
        opaque = False  # the body makes calls that may raise anything
        for call in model.flow.calls_within(try_node.body):
            if model.exceptions.innermost_try_body(call) is not try_node:
                continue
            exception = model.exceptions.queue_call_raises(call)
            if exception == "Full":
                func = call.func
                assert isinstance(func, cst.Attribute)
                kind = model.kind_of(func.value)
                if kind is not None and queue_is_bounded(model, kind) is False:
                    exception = None
            if exception is not None:
                raised.setdefault(exception, call)
                continue
            if not self._harmless(call):
                opaque = True
        for exception, call in raised.items():
            target = f"queue.{exception}"
            if model.exceptions.handlers_catch(try_node, target) is not False:
                continue
            if model.exceptions.caught_around(try_node, target) is not False:
                continue
            other = "Full" if exception == "Empty" else "Empty"
            for handler in try_node.handlers:
                assert handler.type is not None  # a bare except catches everything
                for element in _elements(handler.type):
                    if self.reported(element):
                        continue  # a spelling that does not exist, reported already
                    if model.exceptions.exception_catches(element, f"queue.{other}") is not True:
                        continue
                    if api_table.queue_exception(model.qualname(element)) != other:
                        continue
                    both = other in raised or opaque
                    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
                    self.report(
                        element,
                        fix=self._mismatch_fix(element, handler.type, exception, both),
                        problem=f"`{method}()` raises `queue.{exception}`, but this `except` only "
                        f"catches `queue.{other}`",
                    )

    def _harmless(self, call: cst.Call) -> bool:
        """A call that cannot raise a queue exception: a builtin, or a queue method that blocks."""
        model = self.model
        qual = model.qualname(call.func)
        if qual is not None and qual.startswith("builtins."):
            return True
        func = call.func
        if isinstance(func, cst.Attribute):
            if func.attr.value in api_table.QUEUE_GET_METHODS:
                return False  # a get on something this module cannot identify
            kind = model.kind_of(func.value)
            if kind is not None and (
                api_table.is_queue_kind_name(kind.name) or kind.name is KindName.CONNECTION
            ):
                return True
        return False

    # --- fixes ---------------------------------------------------------------------------------------
    def _replace_fix(self, element: cst.BaseExpression, qualname: str) -> Optional[FixSpec]:
        spelled = spelling_with_import(self.model, qualname, element)
        if spelled is None:
            return None
        text, edits = spelled
        if not self.model.importer.import_kept(element, text, self._rewritten):
            return None
        return self.fix(Applicability.SAFE, *edits, Replace(element, text))

    def _mismatch_fix(
        self,
        element: cst.BaseExpression,
        whole: cst.BaseExpression,
        exception: str,
        both: bool,
    ) -> Optional[FixSpec]:
        if not both:
            replaced = self._replace_fix(element, f"queue.{exception}")
            if replaced is not None:
                return replaced
        spelled_right = spelling_with_import(self.model, f"queue.{exception}", element)
        if spelled_right is None:
            return None
        right, edits = spelled_right
        wrong = self.code_for(element)
        pair = f"{wrong}, {right}"
        if element is whole:
            pair = f"({pair})"
        return self.fix(Applicability.SAFE, *edits, Replace(element, pair))


def _elements(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.Tuple):
        return [e.value for e in expr.elements]
    return [expr]


# --- helpers of this rule ---
def queue_is_bounded(model: Model, kind: Kind) -> Optional[bool]:
    """Whether a queue was created with a positive ``maxsize`` (only then can ``put`` raise
    ``queue.Full``); None when the creation is not visible or the size is not a literal."""
    creator = kind.creator
    if creator is None:
        return None
    if kind.name is KindName.SIMPLE_QUEUE:
        return False
    qual = model.qualname(creator.func)
    if qual is not None and qual.endswith("SimpleQueue"):
        return False
    size = call_argument(creator, 0, "maxsize")
    if size is None:
        return False
    value = size
    negative = False
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        value, negative = value.expression, True
    if isinstance(value, cst.Integer):
        return not negative and int(value.value, 0) > 0
    return None
