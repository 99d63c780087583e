from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import BindingKind, FunctionNode, LocalVar, SelfAttr, Submission, VarKey, Via
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import expression_line


class UnsafeTerminate(LintRule):
    """
    ## What it does
    Checks for `terminate()`/`kill()` on a `Process` that is never joined afterwards, and for terminating a
    process whose target holds a lock, talks through a queue, pipe or manager, or starts children of its
    own. A lock or semaphore the child only releases (a "started" signal to the parent), never acquiring
    it or entering it with `with`, is not one it can hold.

    ## Why is this bad?
    `terminate()` sends SIGTERM and returns at once; no cleanup runs in the child:
    - without `join()` the child stays a zombie (`<defunct>`) and `exitcode` stays `None` until it is
      reaped;
    - a lock the child held is never released: the next `lock.acquire()` anywhere **blocks forever**
      (`lock.acquire(timeout=2)` returns `False`);
    - a queue or pipe the child was writing to can be left with half a message: a reader's `get()` then
      blocks forever inside `multiprocessing/connection.py`, even with a timeout;
    - the child's own children are not terminated: they are orphaned.

    The documented pattern — ask the child to stop, `join(timeout)`, and only then
    `if p.is_alive(): p.terminate(); p.join()` — is not reported. Nor is the hazard reported when the
    parent asked the child to stop through an object it handed over (`put`, `send`, `set`), waited for it
    (a `get`, `recv`, `poll`, `wait` or `empty` on one of them, or a `join` of the process) and only then
    terminates it, when nothing handed to the child is used again: a queue, pipe or lock the kill leaves
    broken then has no one left to block. A missing `join()` is still reported.

    ## Example
    ```python
    p = Process(target=holder, args=(lock, q))
    p.start()
    p.terminate()
    ```

    Use instead:
    ```python
    stop = Event()
    p = Process(target=holder, args=(lock, q, stop))
    p.start()
    stop.set()                 # cooperative shutdown
    p.join(timeout=10)
    if p.is_alive():
        p.terminate()
        p.join()
    ```

    ## Fix safety
    Inserting `p.join()` right after a `p.terminate()` that is never joined is safe. When another
    `terminate()` or `kill()` of the same process follows (an escalation), there is no fix at the first
    one: a `join()` there would wait forever for a child that ignores SIGTERM, and the `kill()` would never
    be reached; the fix goes after the last one. (Prefer `join(timeout)` followed by `kill()`.) The lock,
    queue and children hazard has no automatic fix.

    ## References
    - [`Process.terminate`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.terminate):
      "if the associated process is using a pipe or queue then the pipe or queue is liable to become
      corrupted ... if the process has acquired a lock or semaphore etc. then terminating it is liable to
      cause other processes to deadlock."
    """

    CODE = "MPL108"
    GATE = Gate.of(needs(PROCESSES, "terminate|kill"))
    NAME = "unsafe-terminate"
    MESSAGE = "`{call}` {problem}"
    FIX_TITLE = "Join the process after terminating it"
    SEVERITY = Severity.WARNING
    FIX = "safe"

    VALID = [
        Valid(
            """
            from multiprocessing import Process, Lock
            def f(lock):
                with lock: pass
            def go():
                lock = Lock()
                p = Process(target=f, args=(lock,))
                p.start()
                p.join(timeout=5)
                if p.is_alive():
                    p.terminate()
                    p.join()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process
            def f(): pass
            def go():
                p = Process(target=f)
                p.start()
                p.terminate()
            """,
            fixed="""
            from multiprocessing import Process
            def f(): pass
            def go():
                p = Process(target=f)
                p.start()
                p.terminate()
                p.join()
            """,
        ),
    ]

    def check(self) -> None:
        model = self.model
        for method in ("terminate", "kill"):
            for call in model.tree.method_calls.get(method, []):
                func = call.func
                assert isinstance(func, cst.Attribute)
                kind = model.kind_of(func.value)
                if kind is None or not kind.is_process:
                    continue
                self._check(call, func.value, kind, method)

    def _check(self, call: cst.Call, receiver: cst.BaseExpression, kind: Kind, method: str) -> None:
        model = self.model
        key = model.binding_key(receiver)
        if key is None:
            return
        joined = self._joined_after(key, receiver, call)
        hazard = None if self._is_fallback(key, call) else self._hazard(kind, call)
        if joined and hazard is None:
            return
        name = self.code_for(receiver)
        problems = []
        if hazard is not None:
            problems.append(f"kills a process that {hazard}; it gets no chance to clean up")
        if not joined:
            problems.append(f"is never followed by `{name}.join()`: the child stays a zombie")
        fix = None if joined or self._escalated_later(key, call) else self._join_fix(call, name)
        self.report(call, fix=fix, call=f"{name}.{method}()", problem="; and ".join(problems))

    def _escalated_later(self, key: VarKey, call: cst.Call) -> bool:
        """Another ``terminate()`` or ``kill()`` of the same process follows: a ``join()`` inserted here
        would wait for a child that ignores SIGTERM, and the escalation would never be reached."""
        model = self.model
        return any(
            other is not call and model.precedes(call, other)
            for other in model.calls_on(key, ("terminate", "kill"))
        )

    # --- is it joined? ---------------------------------------------------------------------------------
    def _joined_after(self, key: VarKey, receiver: cst.BaseExpression, call: cst.Call) -> bool:
        model = self.model
        function = model.enclosing_function_node(call)
        if isinstance(key, SelfAttr):
            # an attribute: any join of it anywhere in the class counts (stop()/close() methods)
            return bool(model.calls_on(key, ("join",)))
        for join in model.calls_on(key, ("join",)):
            if model.precedes(call, join):
                return True
        source = self._iterated_source(receiver)
        for join in model.tree.method_calls.get("join", []):
            if not model.precedes(call, join) or not isinstance(join.func, cst.Attribute):
                continue
            other = join.func.value
            if source is not None and self._iterated_source(other) == source:
                return True
        low = model.tree.order.get(call, 0)
        for other_call in model.tree.calls:
            if model.tree.order.get(other_call, 0) <= low or other_call is call:
                continue
            if model.enclosing_function_node(other_call) is not function:
                continue
            # handed to a helper (which may join it), stored or appended
            if any(model.binding_key(a.value) == key for a in other_call.args):
                return True
        loads = model.names.variable_loads(key)
        for node in model.tree.returns.get(function, []) if function is not None else []:
            if node.value is not None and any(model.contains(node.value, n) for n in loads):
                return True
        return False

    def _iterated_source(self, expr: cst.BaseExpression) -> Optional[VarKey]:
        """``p`` bound by ``for p in procs``: the key of ``procs``."""
        model = self.model
        if not isinstance(expr, cst.Name):
            return None
        for binding in model.lookup(expr.value, expr):
            if binding.how is BindingKind.FOR and binding.value is not None:
                return model.binding_key(binding.value)
        return None

    def _is_fallback(self, key: VarKey, call: cst.Call) -> bool:
        """``join(timeout)`` first, then ``if p.is_alive(): p.terminate()``: the documented pattern."""
        model = self.model
        for ancestor in model.ancestors(call):
            if isinstance(ancestor, (cst.If, cst.While)):
                test = ancestor.test
                for check in model.calls_on(key, ("is_alive",)):
                    if model.contains(test, check):
                        return True
                if "exitcode" in self.code_for(test) or "is_alive" in self.code_for(test):
                    return True
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
                break
        return False

    def _join_fix(self, call: cst.Call, name: str) -> Optional[FixSpec]:
        statement = expression_line(self.model.statement_of(call), call)
        if statement is None:
            return None
        return self.fix(Applicability.SAFE, InsertAfter(statement, f"{name}.join()"))

    # --- what the child holds --------------------------------------------------------------------------
    def _hazard(self, kind: Kind, call: cst.Call) -> Optional[str]:
        model = self.model
        creator = kind.creator
        if creator is None:
            return None
        for submission in model.submissions():
            if submission.call is not creator:
                continue
            found = self._hazard_of(submission, call)
            if found is not None:
                return found
        return None

    def _hazard_of(self, submission: Submission, call: cst.Call) -> Optional[str]:
        model = self.model
        after_handshake = self._after_handshake(submission, call)
        for arg in model.handoff.submitted_arguments(submission):
            kind = model.kind_of(arg)
            described = _describe_shared(kind)
            if described is None:
                continue
            if kind is not None and kind.is_lock_like and self._only_signals(submission, arg):
                continue
            if after_handshake:
                continue
            return described
        if submission.via is Via.RUN and submission.owner.cls is not None:
            info = model.names.classes.get(submission.owner.cls)
            function: Optional[FunctionNode] = (
                model.names.class_method(info, "run") if info is not None else None
            )
        else:
            function = model.names.resolve_function(submission.callable)
        if function is None:
            return None
        chain = model.callgraph.call_chain(
            function, lambda f: model.workers.starts_processes(f) is not None
        )
        if chain is not None:
            return "starts processes of its own (they are orphaned)"
        return None

    def _after_handshake(self, submission: Submission, call: cst.Call) -> bool:
        """The parent asked the child to stop through an object it handed over (``put``/``send``/``set``),
        waited for it (a ``get``/``recv``/``poll``/``wait``/``empty`` on one, or a ``join`` of the process)
        and only then terminates it; and nothing handed to the child is used again (they are the
        function's own variables, given to no other process): a message the kill leaves half-written, or a
        lock it leaves held, has no one left to block."""
        model = self.model
        function = model.enclosing_function_node(call)
        if function is None:
            return False
        keys: list[VarKey] = []
        for arg in model.handoff.submitted_arguments(submission):
            key = model.binding_key(arg)
            if key is None or not isinstance(key, LocalVar) or key.scope is not function:
                return False
            keys.append(key)
        requests = [
            c
            for key in keys
            for c in model.calls_on(key, _STOP_REQUESTS)
            if model.precedes(c, call) and model.enclosing_function_node(c) is function
        ]
        if not requests:
            return False
        waits = [c for key in keys for c in model.calls_on(key, _WAITS)]
        process_key = self._process_key(call)
        if process_key is not None:
            waits += model.calls_on(process_key, ("join",))
        if not any(model.precedes(requests[0], w) and model.precedes(w, call) for w in waits):
            return False
        loops = [
            a
            for a in model.ancestors(call)
            if isinstance(a, (cst.For, cst.While)) and model.contains(function, a)
        ]
        for key in keys:
            for load in model.names.variable_loads(key):
                if model.contains(submission.call, load):
                    continue
                if model.precedes(call, load) or any(model.contains(loop, load) for loop in loops):
                    return False  # used after the kill
                parent = model.parent(load)
                if not (isinstance(parent, cst.Attribute) and parent.value is load):
                    return False  # handed on (to another process, a helper, a container)
        return True

    def _process_key(self, call: cst.Call) -> Optional[VarKey]:
        func = call.func
        return self.model.binding_key(func.value) if isinstance(func, cst.Attribute) else None

    def _only_signals(self, submission: Submission, arg: cst.BaseExpression) -> bool:
        """The child only releases the lock or semaphore it is given (a start signal to the parent):
        it calls ``release()`` on it and never ``acquire()``, nor enters it with ``with``."""
        model = self.model
        return (
            bool(model.handoff.worker_calls(submission, arg, ("release",)))
            and not model.handoff.worker_calls(submission, arg, ("acquire",))
            and not model.handoff.worker_enters(submission, arg)
        )


_STOP_REQUESTS = ("put", "put_nowait", "send", "send_bytes", "set")
_WAITS = ("get", "get_nowait", "recv", "recv_bytes", "poll", "wait", "empty")


def _describe_shared(kind: Optional[Kind]) -> Optional[str]:
    if kind is None or kind.uses_threads:
        return None
    if kind.is_lock_like:
        return "may hold a lock (it is never released)"
    if kind.is_queue:
        return "writes to or reads from a queue (it can be left corrupted)"
    if kind.name is KindName.CONNECTION:
        return "uses a pipe (it can be left corrupted)"
    if (
        kind.name is KindName.TUPLE
        and kind.items
        and any(i is not None and i.name is KindName.CONNECTION for i in kind.items)
    ):
        return "uses a pipe (it can be left corrupted)"
    return None
