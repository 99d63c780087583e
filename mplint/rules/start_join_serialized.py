from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter, InsertBefore, Replace
from mplint.gates import PROCESSES, Gate, needs
from mplint.model import Binding, BindingKind, FlowKind, LocalVar, SelfAttr, VarKey
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import expression_line

Loop = Union[cst.For, cst.While]


class StartJoinSerialized(LintRule):
    """
    ## What it does
    Checks for a loop that creates a `Process`, starts it and then joins it (without a timeout) in the
    same pass: each process is waited for before the next one is started.

    The process may be kept in a
    variable, an attribute (`self.proc`) or a container slot (`procs[name]`, `procs[-1]` after
    `append`); it may be made and started by a method the pass calls (`self.launch(item)`); and a
    call, on each pass, of a function of the module that starts and joins the process made for the item
    it is given (`convert(path)`) is reported at that call.

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
            loops = model.flow.enclosing_loops(join)
            if not loops:
                continue
            loop = loops[0]
            if not (
                model.flow.runs_each_iteration(join, loop) and model.flow.loop_may_repeat(loop)
            ):
                continue
            found = self._made_in_loop(loop, join, receiver)
            if found is None:
                found = self._made_by_a_call(loop, join, receiver)
            if found is None:
                continue
            creation, start, site = found
            if not self._maps_over_items(loop, creation, site):
                continue
            fix = None
            if site is None and isinstance(model.binding_key(receiver), LocalVar):
                fix = self._split_fix(loop, start, join, receiver)
            self.report(join, fix=fix, call=self.code_for(join))
        for call in self._serializing_calls():
            self.report(call, call=self.code_for(call))

    def _made_in_loop(
        self, loop: Loop, join: cst.Call, receiver: cst.BaseExpression
    ) -> Optional[tuple[cst.Call, cst.Call, Optional[cst.Call]]]:
        """The process ``join`` waits for is made and started earlier in the same pass: in a local
        variable, an attribute (``self.proc``) or a container slot (``procs[name]``, ``procs[-1]``)."""
        model = self.model
        key = model.binding_key(receiver)
        if isinstance(key, LocalVar):
            creation = model.values.creation_before(key, join)
            if creation is None or not model.contains(loop.body, creation):
                return None
            start = self._start_between(key, creation, join)
        else:
            kind = model.kind_of(receiver)
            creation = kind.creator if kind is not None else None
            if (
                creation is None
                or not model.contains(loop.body, creation)
                or not model.precedes(creation, join)
                or not model.flow.runs_each_iteration(creation, loop)
                or not self._holds(receiver, creation)
            ):
                return None
            start = self._same_start(receiver, creation, join)
        if start is None or not model.flow.runs_each_iteration(start, loop):
            return None
        return creation, start, None

    def _holds(self, receiver: cst.BaseExpression, creation: cst.Call) -> bool:
        """``receiver`` reads what ``creation`` was last put into: ``self.proc = Process(...)`` for
        ``self.proc``; ``procs[name] = Process(...)`` for ``procs[name]``; ``procs.append(Process(...))``
        for ``procs[-1]``."""
        model = self.model
        flow = model.values.value_flow(creation)
        if isinstance(receiver, cst.Attribute):
            key = model.binding_key(receiver)
            return (
                isinstance(key, SelfAttr)
                and flow.how is FlowKind.ASSIGNED
                and flow.key == key
                and not model.names.rebound_between(key, creation, receiver)
            )
        if not isinstance(receiver, cst.Subscript) or len(receiver.slice) != 1:
            return False
        base = model.binding_key(receiver.value)
        if base is None or flow.how is not FlowKind.STORED or flow.key != base:
            return False
        index = receiver.slice[0].slice
        if not isinstance(index, cst.Index):
            return False
        if isinstance(flow.node, cst.Call):  # procs.append(Process(...)), then procs[-1]
            func = flow.node.func
            return (
                isinstance(func, cst.Attribute)
                and func.attr.value == "append"
                and isinstance(index.value, cst.UnaryOperation)
                and isinstance(index.value.operator, cst.Minus)
                and isinstance(index.value.expression, cst.Integer)
                and index.value.expression.value == "1"
            )
        if not isinstance(flow.node, cst.Assign):
            return False
        target = flow.node.targets[0].target
        if not isinstance(target, cst.Subscript) or len(target.slice) != 1:
            return False
        stored = target.slice[0].slice
        if not isinstance(stored, cst.Index) or not isinstance(stored.value, cst.Name):
            return False
        same = self.code_for(stored.value) == self.code_for(index.value)
        key = model.binding_key(stored.value)
        return same and key is not None and not model.names.rebound_between(key, target, receiver)

    def _same_start(
        self, receiver: cst.BaseExpression, creation: cst.Call, join: cst.Call
    ) -> Optional[cst.Call]:
        """``X.start()`` on the receiver of ``join`` spelled the same, between ``creation`` and
        ``join``, always before ``join``."""
        model = self.model
        spelled = self.code_for(receiver)
        for start, started, _kind in model.method_calls_on_known("start"):
            if (
                self.code_for(started) == spelled
                and model.precedes(creation, start)
                and model.dominates(start, join)
                and self._holds(started, creation)
            ):
                return start
        return None

    def _made_by_a_call(
        self, loop: Loop, join: cst.Call, receiver: cst.BaseExpression
    ) -> Optional[tuple[cst.Call, cst.Call, Optional[cst.Call]]]:
        """The process in ``self.proc`` is made and started by a method the same pass calls before
        ``join`` (``self.launch(item)``): that method, wherever it runs, sets and starts it."""
        model = self.model
        key = model.binding_key(receiver)
        if not isinstance(key, SelfAttr):
            return None
        for call in model.flow.calls_within(loop.body):
            if not (
                model.flow.runs_each_iteration(call, loop)
                and model.dominates(call, join)
                and not model.names.rebound_between(key, call, join)
            ):
                continue
            helper = model.names.resolve_function(call.func)
            if not isinstance(helper, cst.FunctionDef):
                continue
            for start in model.calls_on(key, ("start",)):
                if model.enclosing_function_node(start) is not helper:
                    continue
                func = start.func
                assert isinstance(func, cst.Attribute)
                creation = self._made_in(helper, key, start)
                if (
                    creation is not None
                    and model.flow.runs_whenever_scope_runs(creation)
                    and model.flow.runs_whenever_scope_runs(start)
                    and self._holds(func.value, creation)
                ):
                    return creation, start, call
        return None

    def _made_in(
        self, function: cst.FunctionDef, key: SelfAttr, before: cst.CSTNode
    ) -> Optional[cst.Call]:
        """The process constructor call last assigned to the attribute in ``function`` before
        ``before``."""
        model = self.model
        targets = [
            t
            for t in model.names.assignments_of(key)
            if model.enclosing_function_node(t) is function and model.precedes(t, before)
        ]
        if not targets:
            return None
        last = max(targets, key=lambda t: model.tree.order.get(t, 0))
        source = model.valueflow.target_source(last)
        if source is None or source.path or source.items or not isinstance(source.expr, cst.Call):
            return None
        kind = model.kind_of(source.expr)
        return source.expr if kind is not None and kind.creator is source.expr else None

    def _serializing_calls(self) -> list[cst.Call]:
        """Calls, on each pass of a loop over items, of a function of the module that makes a process
        for the item it is given, starts it and joins it before returning (``convert(path)`` with
        ``def convert(path): p = Process(target=work, args=(path,)); p.start(); p.join()``), or that
        starts and joins the process it is given."""
        model = self.model
        out: list[cst.Call] = []
        for join, receiver, kind in model.method_calls_on_known("join"):
            if not kind.is_process or not _without_timeout(join):
                continue
            helper = model.enclosing_function_node(join)
            key = model.binding_key(receiver)
            if (
                not isinstance(helper, cst.FunctionDef)
                or not isinstance(key, LocalVar)
                or model.flow.in_loop(join)
                or not model.flow.runs_whenever_scope_runs(join)
            ):
                continue
            starts = [
                s
                for s in model.calls_on(key, ("start",))
                if model.enclosing_function_node(s) is helper
                and model.dominates(s, join)
                and model.flow.runs_whenever_scope_runs(s)
                and not model.names.rebound_between(key, s, join)
            ]
            if not starts:
                continue
            creation = model.values.creation_before(key, starts[0])
            binding = model.names.only_binding(receiver)
            for call in model.callgraph.calls_to(helper):
                loops = model.flow.enclosing_loops(call)
                if not loops or call in out:
                    continue
                loop = loops[0]
                if not (
                    model.flow.runs_each_iteration(call, loop) and model.flow.loop_may_repeat(loop)
                ):
                    continue
                made = creation
                if made is None and binding is not None and binding.how is BindingKind.PARAM:
                    made = self._given_process(call, helper, binding, loop)
                if made is not None and self._maps_over_items(
                    loop, made, call if made is creation else None
                ):
                    out.append(call)
        return out

    def _given_process(
        self, call: cst.Call, helper: cst.FunctionDef, binding: Binding, loop: Loop
    ) -> Optional[cst.Call]:
        """The process ``call`` gives the helper's parameter, made on the same pass of ``loop``."""
        model = self.model
        given = model.valueflow.call_binds(helper, binding, call)
        if isinstance(given, cst.Call):
            kind = model.kind_of(given)
            return given if kind is not None and kind.creator is given else None
        key = model.binding_key(given) if isinstance(given, cst.Name) else None
        if key is None:
            return None
        made = model.values.creation_before(key, call)
        return made if made is not None and model.contains(loop.body, made) else None

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

    def _maps_over_items(
        self, loop: Loop, creation: cst.Call, site: Optional[cst.Call] = None
    ) -> bool:
        """A ``for`` loop that hands its items to the processes (``args=(item,)``): data-parallel work.
        With ``site``, ``creation`` is in the function ``site`` calls: a parameter of it counts by what
        ``site`` binds to it.

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
            for name in _names_in(arg.value):
                if model.binding_key(name) in targets:
                    return True
                binding = model.names.only_binding(name) if site is not None else None
                if binding is None or binding.how is not BindingKind.PARAM:
                    continue
                function = model.enclosing_function_node(creation)
                assert site is not None
                if not isinstance(function, cst.FunctionDef):
                    continue
                given = model.valueflow.call_binds(function, binding, site)
                if given is not None and any(
                    model.binding_key(n) in targets for n in _names_in(given)
                ):
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
