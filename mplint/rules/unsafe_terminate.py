from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.kinds import Kind, KindName
from mplint.model import BindingKind, FunctionNode, Submission, Via
from mplint.rule import FixSpec, InsertAfter, Invalid, LintRule, Valid
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
    `if p.is_alive(): p.terminate(); p.join()` — is not reported.

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
    Inserting `p.join()` right after a `p.terminate()` that is never joined is safe. (A child that ignores
    SIGTERM would make that `join()` wait: prefer `join(timeout)` followed by `kill()`.) The lock, queue
    and children hazard has no automatic fix.

    ## References
    - [`Process.terminate`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.terminate):
      "if the associated process is using a pipe or queue then the pipe or queue is liable to become
      corrupted ... if the process has acquired a lock or semaphore etc. then terminating it is liable to
      cause other processes to deadlock."
    """

    CODE = "MPL108"
    NAME = "unsafe-terminate"
    MESSAGE = "`{call}` {problem}"
    FIX_TITLE = "Join the process after terminating it"
    SEVERITY = Severity.WARNING
    FIX = "safe"

    VALID = [
        Valid(
            """
            from multiprocessing import Process
            def f(): pass
            def go():
                p = Process(target=f)
                p.start()
                p.terminate()
                p.join()
            """
        ),
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
        hazard = None if self._is_fallback(key, call) else self._hazard(kind)
        if joined and hazard is None:
            return
        name = self.code_for(receiver)
        problems = []
        if hazard is not None:
            problems.append(f"kills a process that {hazard}; it gets no chance to clean up")
        if not joined:
            problems.append(f"is never followed by `{name}.join()`: the child stays a zombie")
        fix = None if joined else self._join_fix(call, name)
        self.report(call, fix=fix, call=f"{name}.{method}()", problem="; and ".join(problems))

    # --- is it joined? ---------------------------------------------------------------------------------
    def _joined_after(
        self, key: tuple[object, ...], receiver: cst.BaseExpression, call: cst.Call
    ) -> bool:
        model = self.model
        function = model.enclosing_function_node(call)
        if len(key) == 3:
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
        name = self.code_for(receiver)
        low = model.tree.order.get(call, 0)
        for other_call in model.tree.calls:
            if model.tree.order.get(other_call, 0) <= low or other_call is call:
                continue
            if model.enclosing_function_node(other_call) is not function:
                continue
            # handed to a helper (which may join it), stored or appended
            if any(self.code_for(a.value) == name for a in other_call.args):
                return True
        for node in model.tree.returns.get(function, []) if function is not None else []:
            if node.value is not None and name in self.code_for(node.value):
                return True
        return False

    def _iterated_source(self, expr: cst.BaseExpression) -> Optional[tuple[object, ...]]:
        """``p`` bound by ``for p in procs``: the key of ``procs``."""
        model = self.model
        if not isinstance(expr, cst.Name):
            return None
        for binding in model.lookup(expr.value, expr):
            if binding.how is BindingKind.FOR and binding.value is not None:
                return model.binding_key(binding.value)
        return None

    def _is_fallback(self, key: tuple[object, ...], call: cst.Call) -> bool:
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
    def _hazard(self, kind: Kind) -> Optional[str]:
        model = self.model
        creator = kind.creator
        if creator is None:
            return None
        for submission in model.submissions():
            if submission.call is not creator:
                continue
            found = self._hazard_of(submission)
            if found is not None:
                return found
        return None

    def _hazard_of(self, submission: Submission) -> Optional[str]:
        model = self.model
        for arg in model.handoff.submitted_arguments(submission):
            kind = model.kind_of(arg)
            described = _describe_shared(kind)
            if described is None:
                continue
            if kind is not None and kind.is_lock_like and self._only_signals(submission, arg):
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
            function, lambda f: model.inference.starts_processes(f) is not None
        )
        if chain is not None:
            return "starts processes of its own (they are orphaned)"
        return None

    def _only_signals(self, submission: Submission, arg: cst.BaseExpression) -> bool:
        """The child only releases the lock or semaphore it is given (a start signal to the parent):
        it calls ``release()`` on it and never ``acquire()``, nor enters it with ``with``."""
        model = self.model
        return (
            bool(model.handoff.worker_calls(submission, arg, ("release",)))
            and not model.handoff.worker_calls(submission, arg, ("acquire",))
            and not model.handoff.worker_enters(submission, arg)
        )


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
