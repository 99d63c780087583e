from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.api_table import EXECUTOR_TASK_METHODS, POOL_TASK_METHODS
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, ReplaceLines
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind
from mplint.model import ExecContext, FlowKind, LocalVar, SelfAttr, VarKey
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import descendants, indentation, name_assignment, wrapping_block_text

#: Pool methods that wait for their tasks: a pool only used through them is idle when they return.
_BLOCKING_POOL_METHODS = frozenset({"apply", "map", "starmap"})


class PoolNotClosed(LintRule):
    """
    ## What it does
    Checks for a pool (`Pool`, `ctx.Pool`, `ThreadPool`, any library of the family) or a
    `ProcessPoolExecutor` created in a function and never closed: bound to a local variable that is only
    ever used to run tasks (never closed, terminated, joined, shut down, used in a `with`, returned,
    stored or passed on), or used once inline as in `Pool(4).map(work, items)`. A pool kept in an
    attribute (`self.pool = Pool()`) is reported when every use of the attribute, in any method or
    through an instance, runs tasks, unless the class is made only once per program; a pool kept under
    a constant key of a local dict (`pools = {"io": Pool()}`) when every read of that slot runs tasks
    and the dict is never handed on or iterated.

    ## Why is this bad?
    Nothing shuts the pool down but garbage collection. Its worker processes and pipes stay alive as
    long as anything keeps the pool object alive: an exception's traceback, a reference cycle, a long
    running caller. With `-W default`, `multiprocessing/pool.py` `Pool.__del__` reports
    `ResourceWarning: unclosed running multiprocessing pool <multiprocessing.pool.Pool state=RUN pool_size=2>`.
    The documentation warns that relying on the garbage collector "can lead to the process hanging
    on finalization"; in long-running services every call leaks processes.

    Pools created at module level (also under `if __name__ == "__main__":`), in `global` variables or
    `self` attributes live as long as the program or their owner and are not reported; neither are
    `ThreadPoolExecutor`s (their threads end when the executor is collected). A pool created (outside
    any loop) by a function that runs once per program lives as long as the program too and is not
    reported: a script's entry point called once from the `__main__` guard or from module-level code
    (`if __name__ == "__main__": main()`), a `main()` that the module never calls (a console script's
    entry point), and a function whose only call in the module is one such an entry point makes, once.
    A call from another module (a test calling `main()` repeatedly, a tool importing the helper and
    calling it in a loop) is not seen.

    ## Example
    ```python
    def compute(items):
        pool = Pool(8)
        return pool.map(work, items)
    ```

    Use instead:
    ```python
    def compute(items):
        with Pool(8) as pool:
            return pool.map(work, items)
    ```

    ## Fix safety
    When the pool is only used through blocking calls (`apply`, `map`, `starmap`; any call for an
    executor) in the statements that follow it in the same block, the fix turns the assignment into a
    `with` statement around those statements. It is unsafe: the pool is now terminated (an executor
    shut down, waiting for its work) when the block ends, also when it raises, and the statements are
    re-indented (keeping the file's line endings; blank lines stay empty). There is no fix when those
    statements hold a string, a bracket or a backslash continued over several lines (re-indenting the
    inside of a string would change its value), or a `yield` or `await` (the pool would stay open for as
    long as the caller keeps the generator or coroutine suspended).

    ## References
    - [Programming guidelines](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool):
      "multiprocessing.pool objects have internal resources that need to be properly managed (like any
      other resource) by using the pool as a context manager or by calling close() and terminate()
      manually. Failure to do this can lead to the process hanging on finalization."
    """

    CODE = "MPL307"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "pool-not-closed"
    MESSAGE = "`{call}` is never {verb}: its workers linger until garbage collection"
    FIX_TITLE = "Use the pool as a context manager"
    SEVERITY = Severity.WARNING
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go(xs):
                pool = Pool(2)
                try:
                    return pool.map(f, xs)
                finally:
                    pool.close()
                    pool.join()
            """
        ),
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def make():
                pool = Pool(2)
                pool.map(f, [0])
                return pool
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go(xs):
                pool = Pool(2)
                return pool.map(f, xs)
            """,
            fixed="""
            from multiprocessing import Pool
            def f(x): return x
            def go(xs):
                with Pool(2) as pool:
                    return pool.map(f, xs)
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def f(x): return x
            def go(xs):
                return mp.Pool(4).map(f, xs)
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for call in model.tree.calls:
            kind = model.kind_of(call)
            if kind is None or kind.creator is not call or kind.cls is not None:
                continue
            if not (kind.is_pool or (kind.is_executor and not kind.uses_threads)):
                continue
            if model.exec_context(call) is not ExecContext.FUNCTION:
                continue  # module-level pools live as long as the program
            if self._lives_as_long_as_the_program(call):
                continue
            verb = "shut down" if kind.is_executor else "closed"
            parent = model.parent(call)
            if isinstance(parent, cst.Attribute) and parent.value is call:
                if self._task_use(parent, kind):
                    self.report(call, call=self.snippet(call), verb=verb)
                continue
            flow = model.values.value_flow(call)
            key = flow.key
            if flow.how is FlowKind.ASSIGNED and isinstance(key, SelfAttr):
                if self._attribute_only_runs_tasks(key, kind):
                    self.report(call, call=self.snippet(call), verb=verb)
                continue
            if flow.how is FlowKind.STORED:
                if self._slot_only_runs_tasks(call, key, kind):
                    self.report(call, call=self.snippet(call), verb=verb)
                continue
            if (
                flow.how is not FlowKind.ASSIGNED
                or key is None
                or not isinstance(key, LocalVar)
                or key.scope is model.module
            ):
                continue
            reads = model.names.variable_loads(key)
            if not all(self._task_use(model.parent(name), kind) for name in reads):
                continue
            self.report(
                call,
                fix=self._with_fix(call, flow.node, key, kind),
                call=self.snippet(call),
                verb=verb,
            )

    def _attribute_only_runs_tasks(self, key: SelfAttr, kind: Kind) -> bool:
        """The pool kept in ``self.pool`` (or ``obj.pool``) is only ever used to run tasks: no method
        closes it, enters it, returns or passes it; and the class is made by something other than a
        run-once entry point (else the pool lives as long as the program)."""
        model = self.model
        reads = model.valueflow.attribute_loads(key)
        if not reads or not all(self._task_use(model.parent(node), kind) for node in reads):
            return False
        info = model.names.class_of_node.get(key.cls)
        if info is None:
            return False
        made = [c for c in model.tree.calls if model.names.resolve_class(c.func) is info]
        return not made or not all(self._made_once(c) for c in made)

    def _slot_only_runs_tasks(self, call: cst.Call, key: Optional[VarKey], kind: Kind) -> bool:
        """The pool is put under a constant key into a dict a local variable holds (``pools = {"io":
        Pool(4)}``, ``pools["io"] = Pool(4)``) and every read of the variable is a slot under another
        constant key or this slot running tasks: nothing closes, enters, passes or iterates it."""
        model = self.model
        if not isinstance(key, LocalVar) or key.scope is model.module:
            return False
        slot = model.slots.stored_slot(call)
        uses = model.slots.slot_uses(key) if slot is not None else None
        if uses is None or slot is None or slot.container != key:
            return False
        for read, found in uses:
            if isinstance(model.parent(read), cst.AssignTarget):
                continue  # a store into a slot
            if found == slot and not self._task_use(model.parent(read), kind):
                return False
        return True

    def _made_once(self, call: cst.Call) -> bool:
        model = self.model
        if model.flow.in_loop(call):
            return False
        if model.exec_context(call) in (ExecContext.IMPORT, ExecContext.GUARDED):
            return True
        return self._lives_as_long_as_the_program(call)

    def _lives_as_long_as_the_program(self, call: cst.Call) -> bool:
        """Created once, by a function that runs once per program (a script's ``main()``)."""
        model = self.model
        function = model.enclosing_function_node(call)
        return (
            isinstance(function, cst.FunctionDef)
            and function in model.callgraph.runs_once_per_program
            and not model.flow.in_loop(call)
        )

    def _task_use(self, node: Optional[cst.CSTNode], kind: Kind) -> bool:
        """``node`` is ``X.method`` called to run tasks (``X`` the pool)."""
        if not isinstance(node, cst.Attribute):
            return False
        call = self.model.parent(node)
        if not isinstance(call, cst.Call) or call.func is not node:
            return False
        methods = EXECUTOR_TASK_METHODS if kind.is_executor else POOL_TASK_METHODS
        return node.attr.value in methods

    # --- fix: turn the assignment into a ``with`` block -----------------------------------------------
    def _with_fix(
        self, call: cst.Call, assignment: cst.CSTNode, key: VarKey, kind: Kind
    ) -> Optional[FixSpec]:
        line = self.model.parent(assignment)
        found = name_assignment(line)
        if found is None or found[0] is not assignment:
            return None
        model = self.model
        assert isinstance(line, cst.SimpleStatementLine)
        block = model.tree.block_of(line)
        if block is None or not isinstance(model.parent(line), cst.IndentedBlock):
            return None
        position = list(block).index(line)
        following = list(block)[position + 1 :]
        if not following:
            return None
        reads = model.names.variable_loads(key)
        if not all(any(model.contains(s, name) for s in following) for name in reads):
            return None  # the pool is also used elsewhere
        if kind.is_pool and not all(
            isinstance(p := model.parent(name), cst.Attribute)
            and p.attr.value in _BLOCKING_POOL_METHODS
            for name in reads
        ):
            return None  # async work would be terminated at the block's exit
        if any(_spans_lines(node) for statement in following for node in descendants(statement)):
            return None  # re-indenting would change a string or a bracketed continuation
        if any(
            isinstance(node, (cst.Yield, cst.Await))
            for statement in following
            for node in descendants(statement, enter_scopes=False)
        ):
            return None  # the pool would stay open while the caller holds the generator
        target = found[1]
        header = cst.TrailingWhitespace()
        comment = line.trailing_whitespace.comment
        if comment is not None:  # the comment stays on the line that creates the pool
            header = cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=comment)
        new = cst.With(
            items=[cst.WithItem(item=call, asname=cst.AsName(name=target))],
            body=cst.IndentedBlock(body=following, header=header),  # type: ignore[arg-type]
        )
        text = wrapping_block_text(
            model.module, new, indentation(model.module, model.ancestors(line))
        )
        if text is None:
            return None
        return self.fix(Applicability.UNSAFE, ReplaceLines(line, following[-1], text))


def _spans_lines(node: cst.CSTNode) -> bool:
    """A string literal over several lines, or whitespace that breaks a line inside brackets or with
    a backslash: text whose indentation is not libcst's to change."""
    if isinstance(node, cst.ParenthesizedWhitespace):
        return True
    if isinstance(node, cst.SimpleWhitespace):
        return "\\" in node.value
    if isinstance(node, (cst.SimpleString, cst.FormattedStringText)):
        return "\n" in getattr(node, "value", "")
    return False
