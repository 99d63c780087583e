from __future__ import annotations

from collections.abc import Sequence
from typing import Optional, Union

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter, Replace
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import KindName
from mplint.model import BindingKind, FunctionNode, SelfAttr, Submission, VarKey, Via
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import expression_line

_SENDS = api_table.CONNECTION_SEND_METHODS
_RECEIVES = api_table.CONNECTION_RECV_METHODS | {"poll"}


class PipeEndMisuse(LintRule):
    """
    ## What it does
    Checks the two ends of `multiprocessing.Pipe()`:
    - with `Pipe(duplex=False)`, which returns `(reader, writer)`, a `send()` on the first end or a
      `recv()`/`poll()` on the second — typically `w, r = Pipe(duplex=False)`, names swapped;
    - an end handed to a child `Process` that the parent never closes, while the parent reads the
      other end in a loop that stops on `EOFError`.

    The ends are followed wherever they are kept (a list of pipes, attributes, a helper's parameter,
    a `Pipe` function chosen by the caller); an end kept open is also found when both ends are kept in
    attributes (`self.reader, self.writer = Pipe(duplex=False)`) and a method reads `self.reader` in
    such a loop while nothing in the module closes `self.writer`.

    ## Why is this bad?
    - The wrong direction raises `OSError: connection is read-only` on `send()` and
      `OSError: connection is write-only` on `recv()` (`multiprocessing/connection.py`
      `_ConnectionBase._check_writable`/`_check_readable`).
    - `recv()` raises `EOFError` only when every copy of the writing end is closed. The parent still
      holds its copy of the end it gave the child, so after the child has sent its last item and
      exited, the parent's `recv()` **hangs forever** instead of ending the loop.

    Both shapes are reported with this rule's one severity, `warning`, although a wrong direction
    always raises. Closing the end only after the read loop (in a `finally` around it) does not help
    either, but such code is left alone: the rule stays silent whenever the parent closes, uses or
    hands on its copy of the end.

    ## Example
    ```python
    w, r = Pipe(duplex=False)

    reader, writer = Pipe(duplex=False)
    p = Process(target=produce, args=(writer,))
    p.start()
    while True:
        try:
            item = reader.recv()
        except EOFError:
            break
    ```

    Use instead:
    ```python
    r, w = Pipe(duplex=False)          # receive on the first end, send on the second

    ...
    p.start()
    writer.close()                     # the child now holds the only writer
    while True:
        try:
            item = reader.recv()
        except EOFError:               # the child has exited: nobody can send any more
            break
    ```

    ## Fix safety
    Swapping the names of the unpacking (`w, r = Pipe(duplex=False)` becomes `r, w = ...`) is safe when
    the two names are only used for method calls in the function that made the pipe, and every
    `send`/`recv`/`poll` is in the wrong direction: each of them always raised. When an end is handed
    to a child or a helper, the fix is left to the author. Inserting
    `writer.close()` right after `p.start()` is safe when the parent does not use that end again, it was
    given to that one process only, and `start()` is not repeated for other processes that need it.
    Parents that close the end later (in a `finally`, say) are not reported.

    ## References
    - [`multiprocessing.Pipe`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Pipe):
      "If duplex is False then the pipe is unidirectional: conn1 can only be used for receiving messages
      and conn2 can only be used for sending messages."
    - [`Connection.recv`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.connection.Connection.recv):
      "Raises EOFError if there is nothing left to receive and the other end was closed."
    """

    CODE = "MPL506"
    GATE = Gate.of(needs(PROCESSES, "Pipe"))
    NAME = "pipe-end-misuse"
    MESSAGE = "{problem}"
    FIX_TITLE = "Use each end of the pipe for its direction"
    SEVERITY = Severity.WARNING
    FIX = "safe"

    VALID = [
        Valid(
            """
            from multiprocessing import Pipe, Process
            def serve(conn):
                while (request := conn.recv()) is not None:
                    conn.send(request.upper())
            def main():
                parent, child = Pipe()
                worker = Process(target=serve, args=(child,))
                worker.start()
                child.close()
                parent.send("ping")
                print(parent.recv())
                parent.send(None)
                worker.join()
            """
        ),
        Valid(
            """
            from multiprocessing import Pipe, Process
            def produce(conn):
                for n in range(3):
                    conn.send(n)
                conn.send(None)
            def main():
                reader, writer = Pipe(duplex=False)
                p = Process(target=produce, args=(writer,))
                p.start()
                while (item := reader.recv()) is not None:  # a sentinel, not EOF, ends the loop
                    print(item)
                p.join()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pipe
            w, r = Pipe(duplex=False)
            w.send(1)
            print(r.recv())
            """,
            fixed="""
            from multiprocessing import Pipe
            r, w = Pipe(duplex=False)
            w.send(1)
            print(r.recv())
            """,
        ),
        Invalid(
            """
            from multiprocessing import Pipe, Process
            def produce(conn):
                conn.send(1)
            def main():
                r, w = Pipe(duplex=False)
                p = Process(target=produce, args=(w,))
                p.start()
                while True:
                    try:
                        print(r.recv())
                    except EOFError:
                        break
            """,
            fixed="""
            from multiprocessing import Pipe, Process
            def produce(conn):
                conn.send(1)
            def main():
                r, w = Pipe(duplex=False)
                p = Process(target=produce, args=(w,))
                p.start()
                w.close()
                while True:
                    try:
                        print(r.recv())
                    except EOFError:
                        break
            """,
        ),
    ]

    def check(self) -> None:
        self._check_directions()
        self._check_open_writers()

    # --- send() on the reader, recv() on the writer -----------------------------------------------------
    def _check_directions(self) -> None:
        model = self.model
        uses: dict[cst.Call, tuple[list[cst.Call], list[cst.Call]]] = {}  # Pipe() -> (right, wrong)
        for method in (*_SENDS, *_RECEIVES):
            for call in model.tree.method_calls.get(method, []):
                func = call.func
                assert isinstance(func, cst.Attribute)
                kind = model.kind_of(func.value)
                if kind is None or kind.name is not KindName.CONNECTION or kind.role is None:
                    continue
                if kind.creator is None:
                    continue
                right, wrong = uses.setdefault(kind.creator, ([], []))
                sends = method in _SENDS
                (wrong if sends == (kind.role == "read") else right).append(call)
        for pipe, (right, wrong) in uses.items():
            home = model.enclosing_function_node(pipe)
            local = all(model.enclosing_function_node(c) is home for c in wrong)
            fix = self._swap_fix(pipe) if not right and local else None
            for call in wrong:
                func = call.func
                assert isinstance(func, cst.Attribute)
                method = func.attr.value
                if method in _SENDS:
                    error = "OSError: connection is read-only"
                    end = "read"
                else:
                    error = "OSError: connection is write-only"
                    end = "write"
                self.report(
                    call,
                    fix=fix,
                    problem=f"`{self.code_for(func.value)}` is the {end} end of "
                    f"`Pipe(duplex=False)`: `{method}()` raises {error}",
                )

    def _swap_fix(self, pipe: cst.Call) -> Optional[FixSpec]:
        """Swap ``w, r = Pipe(duplex=False)`` to ``r, w = ...``."""
        model = self.model
        assign = model.parent(pipe)
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
            return None
        target = assign.targets[0].target
        if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != 2:
            return None
        names = [e.value for e in target.elements]
        if not all(isinstance(n, cst.Name) for n in names):
            return None
        first, second = (self.code_for(n) for n in names)
        if first == second or not all(self._only_local_calls(n) for n in names):
            return None
        return self.fix(Applicability.SAFE, Replace(names[0], second), Replace(names[1], first))

    def _only_local_calls(self, name: cst.BaseExpression) -> bool:
        """Every use of the end is a method call in the function that binds it: all uses are seen."""
        model = self.model
        key = model.binding_key(name)
        if key is None:
            return False
        function = model.enclosing_function_node(name)
        for use in model.names.references(key):
            if use is name:
                continue
            parent = model.parent(use)
            if not (
                isinstance(parent, cst.Attribute)
                and isinstance(model.parent(parent), cst.Call)
                and model.enclosing_function_node(use) is function
            ):
                return False
        return True

    # --- the parent keeps the child's end open ----------------------------------------------------------
    def _check_open_writers(self) -> None:
        model = self.model
        for submission in model.submissions():
            if submission.via not in (Via.PROCESS, Via.RUN) or not submission.owner.is_process:
                continue
            for expr in (
                *model.handoff.submitted_arguments(submission),
                *model.handoff.submitted_keywords(submission).values(),
            ):
                if isinstance(expr, cst.Name):
                    self._check_end(submission, expr)
                elif isinstance(expr, cst.Attribute):
                    self._check_attribute_end(submission, expr)

    def _check_end(self, submission: Submission, child_end: cst.Name) -> None:
        model = self.model
        kind = model.kind_of(child_end)
        if kind is None or kind.name is not KindName.CONNECTION:
            return
        found = model.values.pipe_unpacking(child_end)
        if found is None:
            return
        pipe, index, target = found
        parent_end = target.elements[1 - index].value
        if not isinstance(parent_end, cst.Name):
            return
        function = model.enclosing_function_node(submission.call)
        if model.enclosing_function_node(pipe) is not function:
            return
        child_key = model.binding_key(child_end)
        parent_key = model.binding_key(parent_end)
        if child_key is None or parent_key is None:
            return
        starts = [
            s
            for s in model.values.object_calls(submission.call, ("start",))
            if model.enclosing_function_node(s) is function
        ]
        if not starts:
            return
        start = starts[0]
        loop_read = self._eof_loop_read(parent_key, start, function)
        if loop_read is None:
            return
        holders = self._holders(child_key, function)
        if holders is None:
            return  # the parent closes the end, uses it, or hands it to code we cannot see
        name = child_end.value
        fix = None
        if len(holders) == 1 and holders[0] is submission:
            fix = self._close_fix(start, pipe, name, function)
        self.report(
            start,
            fix=fix,
            problem=f"`{name}` stays open in the parent after `{self.code_for(start)}`: "
            f"`{self.code_for(loop_read)}` never raises EOFError, the loop hangs",
        )

    def _check_attribute_end(self, submission: Submission, child_end: cst.Attribute) -> None:
        """The same hang with the ends kept in attributes (``self.reader, self.writer = Pipe()`` in
        ``__init__``, the child given ``self.writer`` and another method reading ``self.reader`` until
        ``EOFError``): reported when nothing in the module but process arguments uses the child's end."""
        model = self.model
        kind = model.kind_of(child_end)
        child_key = model.valueflow.attribute_key(child_end)
        if kind is None or kind.name is not KindName.CONNECTION or child_key is None:
            return
        parent_key = self._other_attribute_end(child_key)
        if parent_key is None:
            return
        info = model.names.class_of_node.get(child_key.cls)
        if info is None or model.inference.class_base_kind(info) is not None:
            return  # a Process subclass reads its ends in the child as well
        holders = self._attribute_holders(child_key)
        if holders is None or submission not in holders:
            return
        starts = model.values.object_calls(submission.call, ("start",))
        if not starts:
            return
        workers = model.workers.worker_functions(processes_only=False)
        for method in info.methods.values():
            if method in workers:
                continue
            read = self._eof_loop_read(parent_key, None, method)
            if read is None:
                continue
            start = starts[0]
            self.report(
                start,
                problem=f"`{self.code_for(child_end)}` stays open in the parent after "
                f"`{self.code_for(start)}`: `{self.code_for(read)}` never raises EOFError, "
                "the loop hangs",
            )
            return

    def _other_attribute_end(self, key: SelfAttr) -> Optional[SelfAttr]:
        """For an attribute whose one value is an end of ``a, b = Pipe(...)`` unpacked into two
        attributes of the same class: the attribute holding the other end."""
        model = self.model
        flow = model.valueflow
        info = model.names.class_of_node.get(key.cls)
        sources = flow.attribute_sources(key)
        if info is None or len(sources) != 1 or flow.attribute_assigned_elsewhere(key):
            return None
        source = sources[0]
        kind = model.kind_of(source.expr)
        if (
            len(source.path) != 1
            or source.items
            or not isinstance(source.expr, cst.Call)
            or kind is None
            or kind.name is not KindName.TUPLE
            or len(kind.items) != 2
            or kind.items[0] is None
            or kind.items[0].creator is not source.expr
        ):
            return None
        targets = [t for c in model.names.lineage(info) for t in c.attribute_targets[key.attr]]
        element = model.parent(targets[0]) if len(targets) == 1 else None
        pair = model.parent(element) if element is not None else None
        if not isinstance(pair, (cst.Tuple, cst.List)) or len(pair.elements) != 2:
            return None
        other = pair.elements[1 - source.path[0]].value
        found = model.binding_key(other) if isinstance(other, cst.Attribute) else None
        return found if isinstance(found, SelfAttr) and found.cls is key.cls else None

    def _attribute_holders(self, key: SelfAttr) -> Optional[list[Submission]]:
        """The processes given the attribute's end, when every use of the attribute in the module is
        such an argument (else None: the parent closes it, uses it or hands it on)."""
        flow = self.model.valueflow
        # ``self.reader, self.writer = Pipe()`` itself is no use
        uses = [u for u in flow.attribute_loads(key) if flow.target_source(u) is None]
        return self._processes_holding(uses)

    def _eof_loop_read(
        self, key: VarKey, start: Optional[cst.Call], function: Optional[FunctionNode]
    ) -> Optional[cst.Call]:
        """A read of the parent's end in ``function`` (after ``start``, when given), in a loop, that
        stops on ``EOFError``."""
        model = self.model
        for read in model.calls_on(key, api_table.CONNECTION_RECV_METHODS):
            if model.enclosing_function_node(read) is not function:
                continue
            if start is not None and not model.precedes(start, read):
                continue
            in_loop = False
            handles_eof = False
            for ancestor in model.ancestors(read):
                if ancestor is function:
                    break
                if isinstance(ancestor, (cst.For, cst.While)):
                    in_loop = True
                if isinstance(ancestor, cst.Try) and model.contains(ancestor.body, read):
                    handles_eof = handles_eof or self._names_eof(ancestor)
            if in_loop and handles_eof:
                return read
        return None

    def _names_eof(self, try_node: cst.Try) -> bool:
        for handler in try_node.handlers:
            if handler.type is None:
                continue
            elements = (
                [e.value for e in handler.type.elements]
                if isinstance(handler.type, cst.Tuple)
                else [handler.type]
            )
            if any(self.model.qualname(e) == "builtins.EOFError" for e in elements):
                return True
        return False

    def _holders(self, key: VarKey, function: Optional[FunctionNode]) -> Optional[list[Submission]]:
        """The processes the end is given to, when the parent does nothing else with it (else None)."""
        model = self.model
        uses: list[cst.BaseExpression] = []
        for name in model.names.references(key):
            if model.enclosing_function_node(name) is not function:
                return None  # a closure or global use somewhere else
            parent = model.parent(name)
            if isinstance(parent, (cst.Element, cst.AssignTarget)) and self._is_binding(name):
                continue
            uses.append(name)
        return self._processes_holding(uses)

    def _processes_holding(self, uses: Sequence[cst.BaseExpression]) -> Optional[list[Submission]]:
        """The processes whose arguments hold each of ``uses``; None when one is something else."""
        process_calls = {
            s.call: s
            for s in self.model.submissions()
            if s.via in (Via.PROCESS, Via.RUN) and s.owner.is_process
        }
        holders: list[Submission] = []
        for use in uses:
            owner = self._submission_holding(use, process_calls)
            if owner is None:
                return None
            if owner not in holders:
                holders.append(owner)
        return holders

    def _is_binding(self, name: cst.Name) -> bool:
        return any(
            b.node is name
            for b in self.model.lookup(name.value, name)
            if b.how is BindingKind.ASSIGN
        )

    def _submission_holding(
        self, name: cst.BaseExpression, process_calls: dict[cst.Call, Submission]
    ) -> Optional[Submission]:
        for ancestor in self.model.ancestors(name):
            if isinstance(ancestor, cst.Call):
                return process_calls.get(ancestor)  # the first call around it decides
            if isinstance(ancestor, cst.BaseStatement):
                return None
        return None

    def _close_fix(
        self, start: cst.Call, pipe: cst.Call, name: str, function: Optional[FunctionNode]
    ) -> Optional[FixSpec]:
        model = self.model
        statement = expression_line(model.statement_of(start), start)
        if statement is None:
            return None
        for ancestor in model.ancestors(start):
            if ancestor is function:
                break
            loop: Union[cst.For, cst.While, None] = (
                ancestor if isinstance(ancestor, (cst.For, cst.While)) else None
            )
            if loop is not None and not model.contains(loop.body, pipe):
                return None  # start() repeats while the same pipe is reused
        return self.fix(Applicability.SAFE, InsertAfter(statement, f"{name}.close()"))
