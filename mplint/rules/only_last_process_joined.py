from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter, InsertBefore, ReplaceLines
from mplint.gates import PROCESSES, Gate, needs
from mplint.model import LocalVar, SelfAttr, VarKey
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import expression_line

Loop = Union[cst.For, cst.While]


class OnlyLastProcessJoined(LintRule):
    """
    ## What it does
    Checks for a loop that creates and starts a new `Process` in a variable on each pass and keeps it
    nowhere else, followed by one `join()` of that variable after the loop: only the process of the
    last pass is waited for.

    ## Why is this bad?
    The variable holds one process at a time. After the loop it is the last one started, and
    `join()` waits for that one only: the parent carries on while the others still run, reads results
    they have not written yet, and loses their exit codes (each stays a zombie until
    `multiprocessing.active_children()` or the interpreter's exit handler,
    `multiprocessing/util.py` `_exit_function`, reaps it). The last process started is not the last to
    finish: when the jobs are of uneven length the parent sees only part of the work done, and
    nothing fails. Nothing raises; the result is silently incomplete.

    The variable may be an attribute (`self.proc`), and the process may be made and started by a
    function of the module that returns it (`proc = start_one(item)`).

    Not reported: a process also stored somewhere (a list, a dict, an attribute) or passed to a
    function, a loop that joins its process itself, and a variable that is rebound between the loop
    and the `join()`.

    ## Example
    ```python
    for i, frame in enumerate(frames):
        job = Process(target=render, args=(frame, f"{out}/{i:05}.png"))
        job.start()
    job.join()                          # waits for the last frame only
    ```

    Use instead:
    ```python
    started = []
    for i, frame in enumerate(frames):
        job = Process(target=render, args=(frame, f"{out}/{i:05}.png"))
        job.start()
        started.append(job)
    for job in started:
        job.join()
    ```

    ## Fix safety
    The fix keeps every started process in a new list and replaces the `join()` with a loop that
    joins them all. It is unsafe: the parent now waits for every child, which may take longer (or
    forever, for a child that never ends). It is offered when `p.start()` and `p.join()` are each
    alone on their line, and the `join()` is a statement of its own.

    ## References
    - [`Process.join`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.join):
      "Block the calling thread until the process whose join() method is called terminates".
    - [Programming guidelines, "Joining zombie processes"](https://docs.python.org/3/library/multiprocessing.html#multiprocessing-programming).
    """

    CODE = "MPL110"
    NAME = "only-last-process-joined"
    MESSAGE = (
        "`{call}` waits only for the last process the loop started; the others are never joined"
    )
    FIX_TITLE = "Keep every started process and join them all"
    SEVERITY = Severity.WARNING
    GATE = Gate.of(needs(PROCESSES, "join"))
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Process
            def render(frame, path): ...
            def render_all(frames, out):
                jobs = [Process(target=render, args=(f, f"{out}/{i:05}.png")) for i, f in enumerate(frames)]
                for job in jobs:
                    job.start()
                for job in jobs:
                    job.join()
            """
        ),
        Valid(
            """
            from multiprocessing import Process
            def render(frame, path): ...
            def render_cover(frames, out):
                job = Process(target=render, args=(frames[0], f"{out}/cover.png"))
                job.start()
                job.join()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process
            def render(frame, path): ...
            def render_all(frames, out):
                for i, frame in enumerate(frames):
                    job = Process(target=render, args=(frame, f"{out}/{i:05}.png"))
                    job.start()
                job.join()
                print("all frames rendered")
            """,
            fixed="""
            from multiprocessing import Process
            def render(frame, path): ...
            def render_all(frames, out):
                started = []
                for i, frame in enumerate(frames):
                    job = Process(target=render, args=(frame, f"{out}/{i:05}.png"))
                    job.start()
                    started.append(job)
                for job in started:
                    job.join()
                print("all frames rendered")
            """,
            unsafe=True,
        ),
    ]

    def check(self) -> None:
        model = self.model
        for join, receiver, kind in model.method_calls_on_known("join"):
            if not kind.is_process:
                continue
            key = model.binding_key(receiver)
            if key is None:
                continue
            found = self._loop_creation(key, join)
            if found is None:
                continue
            loop, start = found
            self.report(
                join,
                fix=self._fix(loop, start, join, receiver) if model.contains(loop, start) else None,
                call=self.code_for(join),
            )

    def _loop_creation(self, key: VarKey, join: cst.Call) -> Optional[tuple[Loop, cst.Call]]:
        """The loop that last bound ``key`` before ``join`` to a new started process, and its start."""
        model = self.model
        assignments = [
            node for node in model.names.assignments_of(key) if model.precedes(node, join)
        ]
        if not assignments:
            return None
        last = max(assignments, key=lambda node: model.tree.order.get(node, -1))
        loops = model.flow.enclosing_loops(last)
        if not loops or model.contains(loops[0], join):
            return None
        loop = loops[0]
        if any(model.contains(outer, join) for outer in loops[1:]):
            # an outer loop around both: the join may well be per outer pass, as intended
            return None
        if model.enclosing_function_node(loop) is not model.enclosing_function_node(join):
            return None
        if not model.flow.loop_may_repeat(loop):
            return None
        if not model.dominates(loop, join):
            return None
        creation = model.values.creation_before(key, loop.body)
        if creation is None:
            creation = self._creation_in(key, loop)
        if creation is None:
            return None
        created = model.kind_of(creation)
        if created is None or not created.is_process:
            return None
        starts = [call for call in model.calls_on(key, ("start",)) if model.contains(loop, call)]
        if starts:
            if len(starts) != 1 or not model.flow.runs_each_iteration(starts[0], loop):
                return None
            start = starts[0]
        else:
            found = self._started_by_factory(creation)
            if found is None or not model.flow.runs_each_iteration(creation, loop):
                return None
            start = found
        if not self._kept_nowhere_else(key, loop, join):
            return None
        return loop, start

    def _started_by_factory(self, creation: cst.Call) -> Optional[cst.Call]:
        """``p = start_one(item)`` where the function of the module makes a process in a variable,
        starts it whenever it runs, keeps it nowhere else and returns it: that ``start()``."""
        model = self.model
        factory = model.names.resolve_function(creation.func)
        if not isinstance(factory, cst.FunctionDef):
            return None
        returns = model.tree.returns.get(factory, [])
        keys = {
            model.binding_key(r.value) if isinstance(r.value, cst.Name) else None for r in returns
        }
        if len(keys) != 1:
            return None
        key = keys.pop()
        if not isinstance(key, LocalVar) or key.scope is not factory:
            return None
        starts = [
            s for s in model.calls_on(key, ("start",)) if model.flow.runs_whenever_scope_runs(s)
        ]
        if len(starts) != 1 or not self._only_used_on(key, returns):
            return None
        return starts[0]

    def _only_used_on(self, key: LocalVar, returns: list[cst.Return]) -> bool:
        """Every use of the factory's variable is an attribute of it, a binding, or a return."""
        model = self.model
        assignments = model.names.assignments_of(key)
        for name in model.names.references(key):
            parent = model.parent(name)
            if isinstance(parent, cst.Attribute) and parent.value is name:
                if parent.attr.value in ("sentinel", "join"):
                    return False
                continue
            if name in assignments or any(r.value is name for r in returns):
                continue
            return False
        return True

    def _creation_in(self, key: VarKey, loop: Loop) -> Optional[cst.Call]:
        """The one binding of ``key`` inside the loop, when it runs on each pass and is a call."""
        model = self.model
        inside = [node for node in model.names.assignments_of(key) if model.contains(loop, node)]
        if len(inside) != 1:
            return None
        statement = model.statement_of(inside[0])
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        assign = statement.body[0]
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
            return None
        if assign.targets[0].target is not inside[0] or not isinstance(assign.value, cst.Call):
            return None
        if not model.flow.runs_each_iteration(assign, loop):
            return None
        return assign.value

    def _kept_nowhere_else(self, key: VarKey, loop: Loop, join: cst.Call) -> bool:
        """Every use of the variable is a method call or an attribute on it (``p.start()``,
        ``p.daemon = True``, ``p.exitcode``), no ``join`` runs inside the loop, and the loop's binding
        is the only one between the loop and the ``join``."""
        model = self.model
        if any(model.contains(loop, call) for call in model.calls_on(key, ("join",))):
            return False
        if model.names.rebound_between(key, loop, join) and any(
            not model.contains(loop, node)
            and model.precedes(loop, node)
            and model.precedes(node, join)
            for node in model.names.assignments_of(key)
        ):
            return False
        uses: list[cst.BaseExpression] = []
        if isinstance(key, SelfAttr):
            if model.valueflow.attribute_assigned_elsewhere(key):
                return False
            uses.extend(model.valueflow.attribute_loads(key))
        else:
            uses.extend(model.names.references(key))
        for name in uses:
            parent = model.parent(name)
            if isinstance(parent, cst.Attribute) and parent.value is name:
                if parent.attr.value == "sentinel":
                    return False  # waited on with connection.wait(), perhaps
                continue
            if name in model.names.assignments_of(key):
                continue
            return False
        return True

    # --- the fix ---------------------------------------------------------------------------------------
    def _fix(
        self, loop: Loop, start: cst.Call, join: cst.Call, receiver: cst.BaseExpression
    ) -> Optional[FixSpec]:
        model = self.model
        if not isinstance(receiver, cst.Name) or join.args:
            return None
        start_line = expression_line(model.statement_of(start), start)
        join_line = expression_line(model.statement_of(join), join)
        if start_line is None or join_line is None or loop.orelse is not None:
            return None
        name = receiver.value
        collected = self._fresh_name(loop)
        if collected is None:
            return None
        indent = model.module.default_indent
        comment = join_line.trailing_whitespace.comment
        kept = f"  {comment.value}" if comment is not None else ""  # ReplaceLines drops it
        return self.fix(
            Applicability.UNSAFE,
            InsertBefore(loop, f"{collected} = []"),
            InsertAfter(start_line, f"{collected}.append({name})"),
            ReplaceLines(
                join_line, join_line, f"for {name} in {collected}:\n{indent}{name}.join(){kept}"
            ),
        )

    def _fresh_name(self, loop: Loop) -> Optional[str]:
        for candidate in ("started", "started_processes", "launched"):
            if not self.model.tree.name_uses(candidate) and self.model.names.new_variable_is_safe(
                candidate, loop
            ):
                return candidate
        return None
