from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Severity
from mplint.gates import PROCESSES, THREADS, Gate, needs
from mplint.kinds import KindName
from mplint.model import FunctionNode, Submission, VarKey, Via
from mplint.rule import Invalid, LintRule, Valid

_GETS = tuple(api_table.QUEUE_GET_METHODS)


class JoinableQueueTaskDoneMismatch(LintRule):
    """
    ## What it does
    Checks that every consumer of a `JoinableQueue` the parent `join()`s calls `task_done()`: a worker
    (process target, `run()`, pool or executor task, thread) that receives the queue and `get()`s from
    it but never calls `task_done()` on it — in its own body or a helper it hands the queue to — is
    reported at its `get()`. A queue kept under a constant key of a dict (`queues["jobs"]`) is
    followed like a variable. Also checks for `task_done()` in a `finally` clause whose `try` holds a
    `get()` that can raise `queue.Empty` (a timeout, `block=False`, `get_nowait()`).

    ## Why is this bad?
    `JoinableQueue.join()` returns when every item put has been matched by a `task_done()`. A
    consumer that never calls it makes the parent's `join()` **hang** forever. A `task_done()` that also
    runs when `get()` raised `queue.Empty` marks a task done that was never taken: the counts drift, the
    `join()` returns while work is still pending, and once there are more `task_done()` calls than items
    `multiprocessing/queues.py` `JoinableQueue.task_done` raises
    `ValueError: task_done() called too many times`.

    Consumers defined in another module, and queues the module cannot follow, are not reported.

    ## Example
    ```python
    def consumer(jq):
        while True:
            item = jq.get()
            handle(item)

    jq = JoinableQueue()
    ...
    jq.join()
    ```

    Use instead:
    ```python
    def consumer(jq):
        while True:
            item = jq.get()
            try:
                handle(item)
            finally:
                jq.task_done()
    ```

    ## Fix safety
    There is no automatic fix: where the task is finished is the author's decision.

    ## References
    - [`JoinableQueue.task_done`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.JoinableQueue.task_done):
      "For each get() used to fetch a task, a subsequent call to task_done() tells the queue that the
      processing on the task is complete ... Raises a ValueError if called more times than there were
      items placed in the queue."
    """

    CODE = "MPL505"
    GATE = Gate.of(
        needs(PROCESSES, "join|task_done"),
        needs(THREADS, "join|task_done", "Queue|LifoQueue|PriorityQueue|SimpleQueue"),
    )
    NAME = "joinablequeue-task-done-mismatch"
    MESSAGE = "{problem}"
    SEVERITY = Severity.ERROR

    VALID = [
        Valid(
            """
            from multiprocessing import JoinableQueue, Process
            def consumer(jq):
                while True:
                    item = jq.get()
                    try:
                        print(item)
                    finally:
                        jq.task_done()
            def main():
                jq = JoinableQueue()
                Process(target=consumer, args=(jq,), daemon=True).start()
                jq.put(1)
                jq.join()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import JoinableQueue, Process
            def consumer(jq):
                while True:
                    print(jq.get())
            def main():
                jq = JoinableQueue()
                Process(target=consumer, args=(jq,), daemon=True).start()
                jq.put(1)
                jq.join()
            """
        ),
        Invalid(
            """
            import queue
            from multiprocessing import JoinableQueue
            def consumer(jq: JoinableQueue):
                while True:
                    try:
                        item = jq.get(timeout=1)
                        print(item)
                    except queue.Empty:
                        break
                    finally:
                        jq.task_done()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        reported: set[cst.Call] = set()
        for join in model.tree.method_calls.get("join", []):
            func = join.func
            assert isinstance(func, cst.Attribute)
            kind = model.kind_of(func.value)
            if kind is None or kind.name is not KindName.JOINABLE_QUEUE or kind.uses_threads:
                continue
            self._check_consumers(join, func.value, reported)
        for call in model.tree.method_calls.get("task_done", []):
            self._check_finally(call)

    # --- consumers without task_done() ----------------------------------------------------------------
    def _check_consumers(
        self, join: cst.Call, queue_expr: cst.BaseExpression, reported: set[cst.Call]
    ) -> None:
        model = self.model
        key = model.binding_key(queue_expr)
        # a queue kept under a constant key of a dict (``queues["jobs"]``) is followed as a variable
        slot = model.slots.slot_of(queue_expr) if key is None else None
        if key is None and slot is None:
            return
        name = self.code_for(queue_expr)
        for submission in model.submissions():
            if submission.via is Via.CALLBACK:
                continue
            root = model.workers.submission_root(submission)
            if root is None:
                continue
            handed = queue_expr
            if slot is not None:
                same = [
                    arg
                    for arg in (
                        *model.handoff.submitted_arguments(submission),
                        *model.handoff.submitted_keywords(submission).values(),
                    )
                    if model.slots.slot_of(arg) == slot
                ]
                if not same:
                    continue
                handed, passed = same[0], True
            else:
                passed = model.handoff.passes_object(submission, queue_expr)
            gets = model.handoff.worker_calls(submission, handed, _GETS)
            if not gets or (not passed and (key is None or not self._shared_directly(key, root))):
                continue
            if model.handoff.worker_calls(submission, handed, ("task_done",)):
                continue
            if self._consumer_unknowable(submission, handed, root):
                continue
            get = gets[0]
            if get in reported:
                continue
            reported.add(get)
            self.report(
                get,
                problem=f"`{self.code_for(get)}` is never matched by `task_done()`: "
                f"`{name}.join()` blocks forever",
            )
        # the parent consuming its own queue before join()
        function = model.enclosing_function_node(join)
        if slot is not None:
            calls_on = model.slots.slot_calls(slot, ("task_done", *_GETS))
        else:
            assert key is not None
            calls_on = model.calls_on(key, ("task_done", *_GETS))
        if any(_method(c) == "task_done" for c in calls_on):
            return
        for get in calls_on:
            if (
                model.enclosing_function_node(get) is function
                and model.precedes(get, join)
                and get not in reported
            ):
                reported.add(get)
                self.report(
                    get,
                    problem=f"`{self.code_for(get)}` is never matched by `task_done()`: "
                    f"`{self.code_for(join)}` blocks forever",
                )
                return

    def _shared_directly(self, key: VarKey, root: FunctionNode) -> bool:
        """The worker reads the parent's variable itself (a global, closure or ``self`` attribute)."""
        return any(
            self.model.enclosing_function_node(call)
            in self.model.callgraph.reachable_functions(root)
            for call in self.model.calls_on(key, _GETS)
        )

    def _consumer_unknowable(
        self, submission: Submission, queue_expr: cst.BaseExpression, root: FunctionNode
    ) -> bool:
        """The worker hands the queue to code this module cannot see (another module's function)."""
        model = self.model
        key = model.binding_key(queue_expr)
        keys = {key} if key is not None else set()
        for index, arg in enumerate(model.handoff.submitted_arguments(submission)):
            if arg is queue_expr or (key is not None and model.binding_key(arg) == key):
                keys.update(model.handoff.worker_keys(submission, index))
        for name, arg in model.handoff.submitted_keywords(submission).items():
            if arg is queue_expr or (key is not None and model.binding_key(arg) == key):
                keys.update(model.handoff.worker_keys(submission, -1, name))
        for function in model.callgraph.reachable_functions(root):
            for call in model.callgraph.function_calls(function):
                if model.names.resolve_function(call.func) is not None:
                    continue
                if (
                    isinstance(call.func, cst.Attribute)
                    and model.binding_key(call.func.value) in keys
                ):
                    continue  # a method of the queue itself
                if any(model.binding_key(a.value) in keys for a in call.args):
                    return True
        return False

    # --- task_done() in a finally that also runs when get() failed --------------------------------------
    def _check_finally(self, call: cst.Call) -> None:
        model = self.model
        func = call.func
        assert isinstance(func, cst.Attribute)
        kind = model.kind_of(func.value)
        if kind is not None and kind.name not in (KindName.JOINABLE_QUEUE, KindName.THREAD_QUEUE):
            return
        key = model.binding_key(func.value)
        if key is None:
            return
        try_node = self._finally_owner(call)
        if try_node is None:
            return
        for get in model.calls_on(key, _GETS):
            if (
                model.contains(try_node.body, get)
                and model.exceptions.queue_call_raises(get, assume_queue=True) == "Empty"
            ):
                self.report(
                    call,
                    problem=f"`{self.code_for(call)}` in `finally` also runs when "
                    f"`{self.code_for(get)}` raised queue.Empty: "
                    "ValueError: task_done() called too many times",
                )
                return

    def _finally_owner(self, call: cst.Call) -> Optional[cst.Try]:
        for ancestor in self.model.ancestors(call):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return None
            if (
                isinstance(ancestor, cst.Try)
                and ancestor.finalbody is not None
                and self.model.contains(ancestor.finalbody, call)
            ):
                return ancestor
        return None


def _method(call: cst.Call) -> Optional[str]:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None
