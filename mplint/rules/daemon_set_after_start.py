from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertBefore, RemoveStatement, Replace
from mplint.gate_shapes import DAEMON_AFTER_START
from mplint.gates import PROCESSES, THREADS, Gate, needs
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import comments_above, expression_line


class DaemonSetAfterStart(LintRule):
    """
    ## What it does
    Checks for `p.daemon = ...` on a `Process` (or `Thread`) that has certainly been started already on
    every path to the assignment.

    ## Why is this bad?
    The daemon flag is read when the process starts; setting it afterwards raises
    `AssertionError: process has already started` (`multiprocessing/process.py`, the `daemon` setter).
    For a `threading.Thread` it raises `RuntimeError: cannot set daemon status of active thread`. Under
    `python -O` the assertion is stripped: the assignment is silently accepted and has no effect on the
    running child, which then keeps the parent from exiting.

    Assignments in a different branch than the `start()`, or after the variable was bound to a new
    process, are not reported.

    ## Example
    ```python
    p = Process(target=heartbeat)
    p.start()
    p.daemon = True
    ```

    Use instead:
    ```python
    p = Process(target=heartbeat, daemon=True)
    p.start()
    ```

    ## Fix safety
    The fix moves the assignment, with the comment lines right above it, to just before the `start()`
    call (above the comment lines that describe the call). It is safe: the original always
    raises (except under `-O`, where it does nothing). It is offered when both statements stand on their
    own lines in the same block and the assigned value is a constant or a name not rebound in between.

    ## References
    - [`Process.daemon`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.daemon):
      "This must be set before start() is called."
    """

    CODE = "MPL105"
    GATE = Gate.of(
        needs(PROCESSES, "daemon", "start"),
        needs(THREADS, "daemon", "start", "Thread", shapes=(DAEMON_AFTER_START,)),
    )
    NAME = "daemon-set-after-start"
    MESSAGE = "`{target}.daemon` is set after `{target}.start()`; it must be set before"
    FIX_TITLE = "Set `daemon` before `start()`"
    SEVERITY = Severity.ERROR
    FIX = "safe"

    VALID = [
        Valid(
            """
            from multiprocessing import Process
            def f(): pass
            if __name__ == '__main__':
                p = Process(target=f)
                p.daemon = True
                p.start()
            """
        ),
        Valid(
            """
            from multiprocessing import Process
            def f(): pass
            def go(flag):
                p = Process(target=f)
                if flag:
                    p.start()
                else:
                    p.daemon = True
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
                p.daemon = True
            """,
            fixed="""
            from multiprocessing import Process
            def f(): pass
            def go():
                p = Process(target=f)
                p.daemon = True
                p.start()
            """,
        ),
    ]

    def check(self) -> None:
        model = self.model
        for attribute in model.tree.attribute_stores.get("daemon", []):
            kind = model.kind_of(attribute.value)
            if kind is None or not (kind.is_process or kind.is_thread):
                continue
            key = model.binding_key(attribute.value)
            if key is None:
                continue
            assignment = model.small_statement_of(attribute)
            if not isinstance(assignment, cst.Assign):
                continue
            for start in model.calls_on(key, ("start",)):
                if model.dominates(start, attribute) and not model.names.rebound_between(
                    key, start, attribute
                ):
                    target = self.code_for(attribute.value)
                    self.report(attribute, fix=self._fix(start, assignment), target=target)
                    break

    def _fix(self, start: cst.Call, assignment: cst.Assign) -> Optional[FixSpec]:
        model = self.model
        start_line = expression_line(model.statement_of(start), start)
        assign_line = model.statement_of(assignment)
        if not (
            start_line is not None
            and isinstance(assign_line, cst.SimpleStatementLine)
            and len(assign_line.body) == 1
            and model.tree.block_of(start_line) is model.tree.block_of(assign_line)
            and len(assignment.targets) == 1
        ):
            return None
        value = assignment.value
        if not isinstance(value, (cst.Name, cst.Integer)):
            return None
        if isinstance(value, cst.Name) and value.value not in ("True", "False", "None"):
            key = model.binding_key(value)
            if key is None or model.names.rebound_between(key, start, assignment):
                return None
        text = self.code_for(assignment)
        comment = assign_line.trailing_whitespace.comment
        if comment is not None:
            text += "  " + comment.value  # the comment moves with its statement
        described = comments_above(assign_line)  # and so do the comment lines right above it
        text = "\n".join([*(line.comment.value for line in described if line.comment), text])
        anchor: cst.CSTNode = next(iter(comments_above(start_line)), start_line)
        return self.fix(
            Applicability.SAFE,
            *(Replace(line, "") for line in described),
            RemoveStatement(assign_line),
            InsertBefore(anchor, text),
        )
