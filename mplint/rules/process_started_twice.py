from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Severity
from mplint.gate_shapes import START_AGAIN
from mplint.gates import PROCESSES, THREADS, Gate, needs
from mplint.kinds import Kind
from mplint.model import BindingKind, LocalVar, SelfAttr, VarKey
from mplint.model.slots import Slot
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import class_methods

_PROCESS_ERROR = "AssertionError: cannot start a process twice"
_THREAD_ERROR = "RuntimeError: threads can only be started once"


class ProcessStartedTwice(LintRule):
    """
    ## What it does
    Checks for `start()` called a second time on the same `Process` (or `Thread`) object: two `start()`
    calls on one variable with no new object assigned in between, a `start()` inside a loop on a
    process created before the loop, and a `self.worker` made once in `__init__` and started by a
    method that runs more than once (called from two places or in a loop) or after another method of
    the class that starts it too. A constant-key dict slot (`procs["reader"].start()`) counts as a
    variable, and a helper that always starts the process it is given (`def start_it(p): p.start()`)
    called twice on one process is reported at its second call.

    ## Why is this bad?
    A process object runs once. The second `start()` raises
    `AssertionError: cannot start a process twice` (`multiprocessing/process.py` `BaseProcess.start`),
    even when the first run has finished and was joined. A thread raises
    `RuntimeError: threads can only be started once`. Under `python -O` the assertion is stripped: the
    second `start()` forks again and the new child dies with
    `AttributeError: 'Process' object has no attribute '_target'` (the first `start()` deleted it).

    Not reported: calls inside `with pytest.raises(...)` or a `try` that handles the error; loops
    whose every pass ends with `break`, `return` or `raise`; a `start()` that a branch inside the
    loop may skip (`if not p.is_alive(): ...`); a variable given a new process inside the loop, or
    assigned in another function or method (it may be replaced there); subclasses that define their
    own `start()`.

    ## Example
    ```python
    p = Process(target=poll)
    for _ in range(3):
        p.start()
        p.join()
    ```

    Use instead:
    ```python
    for _ in range(3):
        p = Process(target=poll)
        p.start()
        p.join()
    ```

    ## Fix safety
    There is no automatic fix: where the new process should be created is a design decision.

    ## References
    - [`Process.start`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.start):
      "This must be called at most once per process object."
    """

    CODE = "MPL103"
    GATE = Gate.of(
        needs(PROCESSES, "start"), needs(THREADS, "Thread", "start", shapes=(START_AGAIN,))
    )
    NAME = "process-started-twice"
    MESSAGE = "`{call}` {problem}"
    SEVERITY = Severity.ERROR

    VALID = [
        Valid(
            """
            from multiprocessing import Process
            def poll(): pass
            def go():
                for _ in range(3):
                    p = Process(target=poll)
                    p.start()
                    p.join()
            """
        ),
        Valid(
            """
            from multiprocessing import Process
            def poll(): pass
            def go(flag):
                p = Process(target=poll)
                if flag:
                    p.start()
                else:
                    p.start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process
            def poll(): pass
            def go():
                p = Process(target=poll)
                for _ in range(3):
                    p.start()
                    p.join()
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            def poll(): pass
            def go():
                p = mp.Process(target=poll)
                p.start()
                p.join()
                p.start()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for call, receiver, kind in model.method_calls_on_known("start"):
            if not (kind.is_process or kind.is_thread):
                continue
            if self._custom_start(kind):
                continue
            error = _THREAD_ERROR if kind.is_thread else _PROCESS_ERROR
            if model.exceptions.expects_exception(call, error.split(":", 1)[0]):
                continue  # a test that provokes the error on purpose, or code that handles it
            key = model.binding_key(receiver)
            if key is None:
                slot = model.slots.slot_of(receiver)
                if slot is not None and self._second_start_of_slot(slot, call):
                    again = f"starts the same object again: {error}"
                    self.report(call, call=self.code_for(call), problem=again)
                continue
            problem = (
                self._second_start(key, call)
                or self._start_in_loop(key, receiver, call)
                or self._start_across_methods(key, call)
            )
            if problem is not None:
                self.report(call, call=self.code_for(call), problem=f"{problem}: {error}")
            else:
                self._starts_through_helper(key, call, error)

    def _custom_start(self, kind: Kind) -> bool:
        """A subclass with its own ``start()`` may make a second call harmless."""
        methods = class_methods(self.model, kind) if kind.cls is not None else (set(), set())
        return methods is None or "start" in methods[0]

    def _second_start(self, key: VarKey, call: cst.Call) -> Optional[str]:
        model = self.model
        for earlier in model.calls_on(key, ("start",)):
            if earlier is call:
                break
            if model.dominates(earlier, call) and not model.names.rebound_between(
                key, earlier, call
            ):
                return "starts the same object again"
        return None

    def _second_start_of_slot(self, slot: Slot, call: cst.Call) -> bool:
        """``procs["a"].start()`` after an earlier start of the same dict slot that runs first, with
        nothing put into the slot in between."""
        model = self.model
        for earlier in model.slots.slot_calls(slot, ("start",)):
            if earlier is call:
                break
            if model.dominates(earlier, call) and not model.slots.slot_replaced_between(
                slot, earlier, call
            ):
                return True
        return False

    def _starts_through_helper(self, key: VarKey, call: cst.Call, error: str) -> None:
        """``def start_it(p): p.start()`` called twice on the same process: the second call of the
        helper is reported. The start must run on every call of the helper (a statement of its body,
        not under a condition, after no ``return``)."""
        model = self.model
        function = model.enclosing_function_node(call)
        if not isinstance(function, cst.FunctionDef) or model.names.is_method(function):
            return
        if not self._is_parameter(key, function) or not isinstance(key, LocalVar):
            return
        statement = model.statement_of(call)
        body = function.body
        if not isinstance(body, cst.IndentedBlock) or statement is None:
            return
        if model.parent(statement) is not body:
            return
        if any(model.precedes(r, call) for r in model.tree.returns.get(function, [])):
            return  # an earlier return may leave it unstarted
        scope = model.names.scopes.get(function)
        bindings = scope.bindings.get(key.name, []) if scope is not None else []
        if len(bindings) != 1 or bindings[0].how is not BindingKind.PARAM:
            return
        param = bindings[0]
        by_variable: dict[VarKey, list[cst.Call]] = {}
        for site in model.callgraph.calls_to(function):
            argument = model.valueflow.call_binds(function, param, site)
            given = model.binding_key(argument) if argument is not None else None
            if isinstance(argument, (cst.Name, cst.Attribute)) and given is not None:
                by_variable.setdefault(given, []).append(site)
        for given, sites in by_variable.items():
            for index, site in enumerate(sites):
                if any(
                    model.dominates(first, site)
                    and not model.names.rebound_between(given, first, site)
                    for first in sites[:index]
                ):
                    name = function.name.value
                    problem = f"starts again the process an earlier `{name}()` started"
                    self.report(site, call=self.code_for(site), problem=f"{problem}: {error}")

    def _start_in_loop(
        self, key: VarKey, receiver: cst.BaseExpression, call: cst.Call
    ) -> Optional[str]:
        model = self.model
        function = model.enclosing_function_node(call)
        assignments = model.names.assignments_of(key)
        for node in assignments:
            owner = model.enclosing_function_node(node)
            if owner is function:
                continue
            if (
                isinstance(key, SelfAttr)
                and isinstance(owner, cst.FunctionDef)
                and owner.name.value == "__init__"
            ):
                continue
            return None  # assigned elsewhere: another function may replace it between passes
        if isinstance(key, LocalVar) and not assignments and not self._is_parameter(key, function):
            return None
        for loop in model.flow.enclosing_loops(call):
            if any(model.contains(loop, node) for node in assignments):
                return None  # a new object on each pass (or at least on some)
            if isinstance(loop, cst.While) and self._tests_the_process(loop.test, key):
                return None  # `while not p.is_alive(): p.start()` stops once it runs
            if model.flow.runs_each_iteration(call, loop) and model.flow.loop_may_repeat(loop):
                name = self.code_for(receiver)
                return f"runs again on each pass of the loop, on the same `{name}`"
        return None

    def _start_across_methods(self, key: VarKey, call: cst.Call) -> Optional[str]:
        """``self.worker`` made once, in ``__init__``, and started by a method that runs more than once
        per instance (called from two places or in a loop), or by a method called after another method
        that starts it too."""
        model = self.model
        method = model.enclosing_function_node(call)
        if not isinstance(key, SelfAttr) or not isinstance(method, cst.FunctionDef):
            return None
        assignments = model.names.assignments_of(key)
        if not assignments or method.name.value == "__init__":
            return None
        for node in assignments:
            owner = model.enclosing_function_node(node)
            if not isinstance(owner, cst.FunctionDef) or owner.name.value != "__init__":
                return None
        callers = model.valueflow.method_calls_to(method)
        if len(callers) > 1 or any(model.flow.in_loop(c) for c in callers):
            name = method.name.value
            return f"runs on every call of `{name}()`, on the same process made once in `__init__`"
        for other in model.calls_on(key, ("start",)):
            earlier = model.enclosing_function_node(other)
            if earlier is method or not isinstance(earlier, cst.FunctionDef):
                continue
            if earlier.name.value == "__init__":
                continue
            for first in model.valueflow.method_calls_to(earlier):
                for then in callers:
                    if model.dominates(first, then):
                        return f"starts the process that `{earlier.name.value}()` started already"
        return None

    def _tests_the_process(self, test: cst.BaseExpression, key: VarKey) -> bool:
        """The loop condition reads the variable (``while not p.is_alive():``)."""
        model = self.model
        if isinstance(key, SelfAttr):
            for name in model.tree.name_uses(key.attr):
                parent = model.parent(name)
                if (
                    isinstance(parent, cst.Attribute)
                    and parent.attr is name
                    and model.contains(test, parent)
                    and model.binding_key(parent) == key
                ):
                    return True
            return False
        return any(
            model.contains(test, name) and model.binding_key(name) == key
            for name in model.tree.name_uses(key.name)
        )

    def _is_parameter(self, key: VarKey, function: Optional[cst.CSTNode]) -> bool:
        scope = self.model.names.scopes.get(function) if function is not None else None
        if not isinstance(key, LocalVar) or scope is None or scope.node is not key.scope:
            return False
        return any(b.how is BindingKind.PARAM for b in scope.bindings.get(key.name, []))
