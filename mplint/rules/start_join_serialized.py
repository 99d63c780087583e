from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter, InsertBefore, Replace
from mplint.gates import PROCESSES, Gate, needs
from mplint.model import LocalVar, VarKey
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import expression_line

Loop = Union[cst.For, cst.While]


class StartJoinSerialized(LintRule):
    """
    ## What it does
    Checks for a loop that creates a `Process`, starts it and then joins it (without a timeout) in the
    same pass: each process is waited for before the next one is started.

    ## Why is this bad?
    Nothing runs in parallel. `join()` blocks until the child exits, so the loop runs its processes one
    after the other, paying the start-up cost of a process each time and gaining nothing: four tasks of
    0.5 s take 2 s this way, against 0.5 s when all are started first and joined afterwards. The
    program is silently as slow as a plain loop.

    Running one process at a time can be deliberate — to contain crashes or memory leaks of each job —
    which is why this is a warning. Only `for` loops that hand their items to the processes
    (`args=(item,)`) are reported: loops over configurations (`for method in ("fork", "spawn"):`),
    repeated runs (`for _ in range(3):`) and `while` loops are, in real code, mostly benchmarks and
    tests that run one process at a time on purpose. Not reported either: `join(timeout)` (monitoring
    loops), a `join()` that a branch inside the loop may skip (throttling, `if len(running) >= n:`),
    and processes created outside the loop (see MPL103).

    ## Example
    ```python
    for chunk in chunks:
        p = Process(target=work, args=(chunk,))
        p.start()
        p.join()
    ```

    Use instead:
    ```python
    procs = [Process(target=work, args=(c,)) for c in chunks]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    ```

    ## Fix safety
    The fix collects the started processes in a new list and joins them in a second loop after the
    first. It is unsafe: the processes now run concurrently (they may compete for files, memory or a
    database), and the loop no longer waits for one before starting the next. It is offered for a `for`
    loop without `else`, `return` or `yield`, whose body ends with `p.start()` directly followed by
    `p.join()`.

    ## References
    - [`Process.join`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.join):
      "block the calling thread until the process whose join() method is called terminates".
    """

    CODE = "MPL107"
    GATE = Gate.of(needs(PROCESSES, "start", "join"))
    NAME = "start-join-serialized"
    MESSAGE = (
        "`{call}` waits for each process before the loop starts the next: they run one at a time"
    )
    FIX_TITLE = "Start every process first, then join them all"
    SEVERITY = Severity.WARNING
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Process
            def work(c): pass
            def go(chunks):
                procs = [Process(target=work, args=(c,)) for c in chunks]
                for p in procs:
                    p.start()
                for p in procs:
                    p.join()
            """
        ),
        Valid(
            """
            from multiprocessing import Process
            def work(c): pass
            def go(chunks):
                for c in chunks:
                    p = Process(target=work, args=(c,))
                    p.start()
                    p.join(timeout=1)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process
            def work(c): pass
            def go(chunks):
                for c in chunks:
                    p = Process(target=work, args=(c,))
                    p.start()
                    p.join()
            """,
            fixed="""
            from multiprocessing import Process
            def work(c): pass
            def go(chunks):
                started = []
                for c in chunks:
                    p = Process(target=work, args=(c,))
                    p.start()
                    started.append(p)
                for p in started:
                    p.join()
            """,
            unsafe=True,
        ),
    ]

    def check(self) -> None:
        model = self.model
        for join, receiver, kind in model.method_calls_on_known("join"):
            if not kind.is_process or not _without_timeout(join):
                continue
            key = model.binding_key(receiver)
            if key is None or not isinstance(key, LocalVar):
                continue
            loops = model.flow.enclosing_loops(join)
            if not loops:
                continue
            loop = loops[0]
            if not (
                model.flow.runs_each_iteration(join, loop) and model.flow.loop_may_repeat(loop)
            ):
                continue
            creation = model.values.creation_before(key, join)
            if creation is None or not model.contains(loop.body, creation):
                continue
            if not self._maps_over_items(loop, creation):
                continue
            start = self._start_between(key, creation, join)
            if start is None or not model.flow.runs_each_iteration(start, loop):
                continue
            self.report(
                join,
                fix=self._split_fix(loop, start, join, receiver),
                call=self.code_for(join),
            )

    def _start_between(self, key: VarKey, creation: cst.Call, join: cst.Call) -> Optional[cst.Call]:
        model = self.model
        for start in model.calls_on(key, ("start",)):
            if (
                model.precedes(creation, start)
                and model.dominates(start, join)
                and not model.names.rebound_between(key, start, join)
            ):
                return start
        return None

    def _maps_over_items(self, loop: Loop, creation: cst.Call) -> bool:
        """A ``for`` loop that hands its items to the processes (``args=(item,)``): data-parallel work.

        Loops over configurations (``for method in ("fork", "spawn")`` building a context), repeated
        runs (``for _ in range(2)``) and ``while`` loops are deliberately sequential more often than
        not: benchmarks and tests run one process at a time on purpose.
        """
        if not isinstance(loop, cst.For):
            return False
        model = self.model
        targets = {model.binding_key(name) for name in _names_in(loop.target) if name.value != "_"}
        targets.discard(None)
        if not targets:
            return False
        for index, arg in enumerate(creation.args):
            if (arg.keyword is not None and arg.keyword.value == "target") or (
                arg.keyword is None and index == 1 and self._is_plain_process(creation)
            ):
                continue
            if any(model.binding_key(name) in targets for name in _names_in(arg.value)):
                return True
        return False

    def _is_plain_process(self, creation: cst.Call) -> bool:
        kind = self.model.kind_of(creation)
        return kind is not None and kind.cls is None

    # --- the fix ---------------------------------------------------------------------------------------
    def _split_fix(
        self, loop: Loop, start: cst.Call, join: cst.Call, receiver: cst.BaseExpression
    ) -> Optional[FixSpec]:
        model = self.model
        if not isinstance(loop, cst.For) or loop.orelse is not None:
            return None
        body = loop.body
        if not isinstance(body, cst.IndentedBlock) or len(body.body) < 2:
            return None
        start_line, join_line = body.body[-2], body.body[-1]
        if expression_line(start_line, start) is None or expression_line(join_line, join) is None:
            return None
        if not isinstance(receiver, cst.Name) or self._leaves_early(loop):
            return None
        name = receiver.value
        collected = self._fresh_name()
        indent = body.indent if body.indent is not None else model.module.default_indent
        return self.fix(
            Applicability.UNSAFE,
            InsertBefore(loop, f"{collected} = []"),
            Replace(join, f"{collected}.append({name})"),
            InsertAfter(loop, f"for {name} in {collected}:\n{indent}{name}.join()"),
        )

    def _leaves_early(self, loop: cst.For) -> bool:
        """A ``return`` or ``yield`` in the loop would skip the joins moved after it."""
        model = self.model
        function = model.enclosing_function_node(loop)
        returns = model.tree.returns.get(function, []) if function is not None else []
        return any(model.contains(loop, node) for node in (*returns, *model.tree.yields))

    def _fresh_name(self) -> str:
        for candidate in ("started", "started_processes", "launched"):
            if not self.model.tree.name_uses(candidate):
                return candidate
        index = 2
        while self.model.tree.name_uses(f"started_{index}"):
            index += 1
        return f"started_{index}"


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    """The ``Name`` nodes of an expression (attribute names excluded)."""
    found: list[cst.Name] = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

    node.visit(Collect())
    return found


def _without_timeout(join: cst.Call) -> bool:
    if not join.args:
        return True
    if len(join.args) == 1:
        value = join.args[0].value
        keyword = join.args[0].keyword
        return (keyword is None or keyword.value == "timeout") and (
            isinstance(value, cst.Name) and value.value == "None"
        )
    return False
