from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter, Replace
from mplint.gate_shapes import UNSTARTED_JOIN_OR_RUN
from mplint.gates import PROCESSES, THREADS, Gate, needs
from mplint.kinds import Kind
from mplint.model import LocalVar, VarKey, call_argument
from mplint.rule import Invalid, LintRule, RuleContext, Valid
from mplint.rules._helpers import class_methods, expression_line

_NOT_STARTED_ERRORS = {
    "join": "AssertionError: can only join a started process",
    "terminate": "AttributeError: 'NoneType' object has no attribute 'terminate'",
    "kill": "AttributeError: 'NoneType' object has no attribute 'kill'",
}
_THREAD_JOIN_ERROR = "RuntimeError: cannot join thread before it is started"
_CLOSE_ERROR = "ValueError: Cannot close a process while it is still running"
_CLOSED_ERROR = "ValueError: process object is closed"
# What raises once a process object is closed (multiprocessing/process.py, _check_closed).
_CLOSED_METHODS = frozenset({"start", "join", "terminate", "kill", "is_alive"})
_CLOSED_PROPERTIES = frozenset({"exitcode", "pid", "ident", "sentinel"})
# Methods a subclass may redefine so that the usual order no longer applies.
_LIFECYCLE_METHODS = ("start", "join", "terminate", "kill", "close")


class ProcessLifecycleOrder(LintRule):
    """
    ## What it does
    Checks the order of a `Process`'s lifecycle calls within a function: `join()`, `terminate()` or
    `kill()` on a process that was never started; `run()` on a process created with a `target=`;
    `close()` right after `start()`, with nothing that waits for the child in between; and any use of
    the process after `close()`.

    It supersedes MPL108 on the same call: `terminate()` on a process that was never started
    raises before any zombie could exist.

    ## Why is this bad?
    - `join()` before `start()` raises `AssertionError: can only join a started process`
      (`multiprocessing/process.py` `BaseProcess.join`); `terminate()`/`kill()` raise
      `AttributeError: 'NoneType' object has no attribute 'terminate'`. A `threading.Thread` raises
      `RuntimeError: cannot join thread before it is started`.
    - `p.run()` does not start anything: it calls the target **in the current process**, synchronously,
      and the following `p.join()` still raises `AssertionError: can only join a started process`.
    - `close()` on a running process raises `ValueError: Cannot close a process while it is still
      running. You should first call join() or terminate().` (`BaseProcess.close`).
    - After `close()`, `start()`, `join()`, `is_alive()`, `exitcode`, `pid` … raise
      `ValueError: process object is closed` (`BaseProcess._check_closed`).

    Under `python -O` the assertions are stripped and `join()` fails with
    `AttributeError: 'NoneType' object has no attribute 'wait'` instead; `is_alive()`, `exitcode` and
    `pid` of a process that was never started silently return `False`, `None`, `None`.

    Calls inside `with pytest.raises(...)` (or `assertRaises`) or in a `try` that handles the error
    are not reported. The order of `join()`, `terminate()`, `kill()` and `close()` is only judged for
    a process created in the same function by a constructor call (of a class held by a variable or a
    parameter, too): nothing is reported when the process comes from a parameter, an attribute or a
    factory, when a `start()` may run in between (in
    any branch), or when the process is handed to other code in between. `run()` is judged wherever the
    process is kept (a list, a dict, an attribute set in `__init__`) and whatever gave its class or
    target (a helper's parameter, a class chosen by the caller); it
    is not reported in test files (calling it in-process is a testing technique), nor when the same
    function also calls `start()` on it (a deliberate in-process mode); subclasses that redefine
    lifecycle methods, or start themselves, are skipped.

    ## Example
    ```python
    p = Process(target=work)
    p.run()
    p.join()
    ```

    Use instead:
    ```python
    p = Process(target=work)
    p.start()
    p.join()
    ```

    ## Fix safety
    `p.run()` → `p.start()` is unsafe: the target then runs in a child process and sees a copy of the
    parent's state instead of the parent's objects. When nothing joins the process later in the same
    function, `p.join()` is added after it, where `run()` used to block, so the code that follows still
    runs after the target (there is no fix when that line cannot be added). The other cases have no
    automatic fix.

    ## References
    - [`Process.join`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.join):
      "A process cannot join itself ... It is an error to attempt to join a process before it has been
      started."
    - [`Process.close`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.close):
      "Raises ValueError if the underlying process is still running. Once close() returns successfully,
      most other methods and attributes of the Process object will raise ValueError."
    """

    CODE = "MPL104"
    GATE = Gate.of(
        needs(PROCESSES), needs(THREADS, "Thread", "join|run", shapes=(UNSTARTED_JOIN_OR_RUN,))
    )
    NAME = "process-lifecycle-order"
    MESSAGE = "`{call}` {problem}"
    FIX_TITLE = "Start the process instead of running its target here"
    SEVERITY = Severity.ERROR
    FIX = "unsafe"
    SUPERSEDES = frozenset({"MPL108"})

    VALID = [
        Valid(
            """
            from multiprocessing import Process
            def work(): pass
            def go():
                p = Process(target=work)
                p.start()
                p.join()
                p.close()
            """
        ),
        Valid(
            """
            from multiprocessing import Process
            def work(): pass
            def go(inline):
                p = Process(target=work)
                if inline:
                    p.run()
                else:
                    p.start()
                    p.join()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process
            def work(): pass
            def go():
                p = Process(target=work)
                p.join()
            """
        ),
        Invalid(
            """
            from multiprocessing import Process
            def work(): pass
            def go():
                p = Process(target=work)
                p.run()
                p.join()
            """,
            fixed="""
            from multiprocessing import Process
            def work(): pass
            def go():
                p = Process(target=work)
                p.start()
                p.join()
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from multiprocessing import Process
            def work(): pass
            def go():
                p = Process(target=work)
                p.start()
                p.close()
            """
        ),
    ]

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._reported_runs: set[cst.Call] = set()

    def check(self) -> None:
        model = self.model
        for method in ("run", "join", "terminate", "kill", "close"):
            for call in model.tree.method_calls.get(method, []):
                func = call.func
                assert isinstance(func, cst.Attribute)
                kind = model.kind_of(func.value)
                if kind is None or not (kind.is_process or kind.is_thread):
                    continue
                if self._custom_lifecycle(kind):
                    continue
                if method == "run":
                    self._check_run(call, func.value, kind)
                elif method == "close":
                    if kind.is_process:
                        self._check_close(call, func.value)
                        self._check_uses_after_close(call, func.value)
                elif kind.is_process or method == "join":
                    self._check_not_started(call, func.value, kind, method)

    def _custom_lifecycle(self, kind: Kind) -> bool:
        """A subclass that redefines lifecycle methods, or starts itself (``self.start()`` in a method),
        or one whose methods are unknown."""
        if kind.cls is None:
            return False
        methods = class_methods(self.model, kind)
        if methods is None:
            return True
        defined, called = methods
        return not defined.isdisjoint(_LIFECYCLE_METHODS) or "start" in called

    # --- join()/terminate()/kill() before start() -------------------------------------------------
    def _check_not_started(
        self, call: cst.Call, receiver: cst.BaseExpression, kind: Kind, method: str
    ) -> None:
        model = self.model
        key = model.binding_key(receiver)
        if key is None:
            return
        creation = model.values.creation_before(key, call)
        if creation is None:
            return
        ran: Optional[cst.Call] = None
        for name in model.names.uses_between(key, creation, call):
            parent = model.parent(name)
            if not (isinstance(parent, cst.Attribute) and parent.value is name):
                return  # handed to other code, which may start it
            if parent.attr.value == "start":
                return  # started (or handed out as a callback) in between, on some path
            grand = model.parent(parent)
            if parent.attr.value == "run" and isinstance(grand, cst.Call) and grand.func is parent:
                ran = grand
        if ran in self._reported_runs:
            return  # the run() diagnostic is the cause; its fix repairs this call too
        error = _THREAD_JOIN_ERROR if kind.is_thread else _NOT_STARTED_ERRORS[method]
        if model.exceptions.expects_exception(call, error.split(":", 1)[0]):
            return
        spelled = self.code_for(receiver)
        if ran is not None:
            problem = f"after `{spelled}.run()`, which ran the target here without starting it"
        else:
            problem = f"on `{spelled}`, which was never started"
        self.report(call, call=self.code_for(call), problem=f"{problem}: {error}")

    # --- run() instead of start() -----------------------------------------------------------------
    def _check_run(self, call: cst.Call, receiver: cst.BaseExpression, kind: Kind) -> None:
        model = self.model
        creator = kind.creator
        if creator is None or model.tree.is_test_file:
            return
        if kind.cls is not None:
            info = model.names.classes.get(kind.cls)
            if info is None or model.names.class_method(info, "run") is not None:
                return  # the subclass's own run(): calling it directly is ordinary code
        target = call_argument(creator, 1, "target")
        if target is None or (isinstance(target, cst.Name) and target.value == "None"):
            return
        key = model.binding_key(receiver)
        if key is None:
            return
        function = model.enclosing_function_node(call)
        for start in model.calls_on(key, ("start",)):
            if model.enclosing_function_node(start) is function:
                return  # ``run()`` as a deliberate in-process alternative to ``start()``
        where = "thread" if kind.is_thread else "process"
        self._reported_runs.add(call)
        self.report(
            call,
            fix=self._start_fix(call, key, receiver),
            call=self.code_for(call),
            problem=f"runs `{self.snippet(target, width=30)}` here, in this {where}, and starts nothing; "
            f"use `{self.code_for(receiver)}.start()`",
        )

    def _start_fix(
        self, call: cst.Call, key: VarKey, receiver: cst.BaseExpression
    ) -> Optional[FixSpec]:
        """``run()`` → ``start()``, followed by ``join()`` where ``run()`` used to block, unless the
        process is joined afterwards in the same function already."""
        model = self.model
        statement = model.small_statement_of(call)
        if not (isinstance(statement, cst.Expr) and statement.value is call) or call.args:
            return None
        func = call.func
        assert isinstance(func, cst.Attribute)
        rename = Replace(func.attr, "start")
        function = model.enclosing_function_node(call)
        if any(
            model.precedes(call, join) and model.enclosing_function_node(join) is function
            for join in model.calls_on(key, ("join",))
        ):
            return self.fix(Applicability.UNSAFE, rename)
        line = expression_line(model.statement_of(call), call)
        if line is None:
            return None
        return self.fix(
            Applicability.UNSAFE, rename, InsertAfter(line, f"{self.code_for(receiver)}.join()")
        )

    # --- close() of a running process, use after close() ------------------------------------------
    def _check_close(self, call: cst.Call, receiver: cst.BaseExpression) -> None:
        model = self.model
        key = model.binding_key(receiver)
        if key is None or not isinstance(key, LocalVar):
            return
        starts = [
            s
            for s in model.calls_on(key, ("start",))
            if model.dominates(s, call) and not model.names.rebound_between(key, s, call)
        ]
        if not starts:
            return
        last = max(starts, key=lambda s: model.tree.order.get(s, 0))
        if model.names.uses_between(key, last, call):
            return  # joined, polled, waited on or handed out in between
        if model.exceptions.expects_exception(call, "ValueError"):
            return
        name = self.code_for(receiver)
        self.report(
            call,
            call=self.code_for(call),
            problem=f"right after `{name}.start()`, while the child may still be running: "
            f"{_CLOSE_ERROR}",
        )

    def _check_uses_after_close(self, call: cst.Call, receiver: cst.BaseExpression) -> None:
        model = self.model
        key = model.binding_key(receiver)
        if key is None or not isinstance(key, LocalVar):
            return
        name = self.code_for(receiver)
        function = model.enclosing_function_node(call)
        for use in model.tree.name_uses(key.name):
            if not model.precedes(call, use) or model.contains(call, use):
                continue
            if model.enclosing_function_node(use) is not function:
                continue  # a lambda or nested def: it runs later, if at all
            parent = model.parent(use)
            if not (isinstance(parent, cst.Attribute) and parent.value is use):
                continue
            attribute = parent.attr.value
            grand = model.parent(parent)
            node: cst.CSTNode
            if (
                attribute in _CLOSED_METHODS
                and isinstance(grand, cst.Call)
                and grand.func is parent
            ):
                node = grand
            elif attribute in _CLOSED_PROPERTIES and not isinstance(grand, cst.AssignTarget):
                node = parent
            else:
                continue
            if model.binding_key(use) != key:
                continue
            if (
                model.dominates(call, node)
                and not model.names.rebound_between(key, call, node)
                and not model.exceptions.expects_exception(node, "ValueError")
            ):
                self.report(
                    node,
                    call=self.code_for(node),
                    problem=f"after `{name}.close()`: {_CLOSED_ERROR}",
                )
