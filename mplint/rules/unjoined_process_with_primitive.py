from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Severity
from mplint.kinds import SEMLOCK_KINDS, Kind
from mplint.model import LocalVar, call_argument
from mplint.model.syntax import is_main_guard_test, tuple_elements
from mplint.rule import Invalid, LintRule, Valid

_BLOCKS = (cst.If, cst.Else, cst.For, cst.While, cst.Try, cst.Finally)
_LOOPS = (cst.For, cst.While)


class UnjoinedProcessWithPrimitive(LintRule):
    """
    ## What it does
    Checks for processes that are handed a lock, semaphore, event, condition, barrier, queue or
    synchronised `Value`/`Array` of the parent in `args=`, started, and never joined, where starting
    them is the last thing the program does: the last statements of the `__main__` guard, or of the
    function the guard calls last.

    ## Why is this bad?
    Under the `spawn` and `forkserver` start methods a child attaches to the parent's named semaphore
    when it unpickles its arguments, after it has started up. The parent, with nothing left to do,
    exits at once; its exit handler (`multiprocessing/util.py` `_exit_function`) runs the finalizers
    of priority 0 first, which unlink the semaphores (`multiprocessing/synchronize.py`
    `SemLock._cleanup`), and only then joins the children. Each child that had not attached yet dies
    in `SemLock.__setstate__` with `FileNotFoundError: [Errno 2] No such file or directory`, and its
    work never runs. The parent itself exits with status 0. The documentation's own `Lock` example
    (which starts ten processes and ends) loses all ten children this way under `spawn`. Under `fork`
    the child inherits the semaphore and nothing fails, which is why the bug ships from Linux and
    fails on macOS, Windows, and Linux with Python 3.14.

    Not reported: processes that are joined (or kept anywhere, passed on, or daemonic), a parent
    that does anything after starting them but print, and processes of an explicit `fork` context
    (or a module that sets the `fork` start method).

    ## Example
    ```python
    if __name__ == "__main__":
        lock = Lock()
        for num in range(10):
            Process(target=f, args=(lock, num)).start()
    ```

    Use instead:
    ```python
    if __name__ == "__main__":
        lock = Lock()
        procs = [Process(target=f, args=(lock, num)) for num in range(10)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
    ```

    ## Fix safety
    There is no fix: where the processes should be kept and joined is the program's decision.

    ## References
    - [Programming guidelines, "Joining zombie processes" and "Explicitly pass resources to child
      processes"](https://docs.python.org/3/library/multiprocessing.html#multiprocessing-programming).
    - [`Process.join`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.join).
    """

    CODE = "MPL408"
    NAME = "unjoined-process-with-primitive"
    MESSAGE = (
        "the parent ends without joining the process `{process}` started with `{primitive}`: its "
        "semaphore is unlinked at exit, and under spawn the child dies with FileNotFoundError"
    )
    SEVERITY = Severity.ERROR

    VALID = [
        Valid(
            """
            from multiprocessing import Lock, Process
            def f(l, i): pass
            if __name__ == "__main__":
                lock = Lock()
                procs = [Process(target=f, args=(lock, i)) for i in range(3)]
                for p in procs:
                    p.start()
                for p in procs:
                    p.join()
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            def f(l, i): pass
            if __name__ == "__main__":
                ctx = mp.get_context("fork")
                lock = ctx.Lock()
                for i in range(3):
                    ctx.Process(target=f, args=(lock, i)).start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Lock, Process
            def f(l, i): pass
            if __name__ == "__main__":
                lock = Lock()
                for i in range(3):
                    Process(target=f, args=(lock, i)).start()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for start in model.tree.method_calls.get("start", []):
            func = start.func
            assert isinstance(func, cst.Attribute)
            kind = model.kind_of(func.value)
            if kind is None or not kind.is_process or kind.family != "multiprocessing":
                continue
            creation = self._never_joined_creation(start, func.value)
            if creation is None or kind.cls is not None:
                continue
            if model.start_method(kind) == "fork" or model.workers.is_daemonic_process(
                kind.with_creator(creation)
            ):
                continue
            primitive = self._primitive_argument(creation)
            if primitive is None or not self._parent_ends_after(start):
                continue
            self.report(
                start,
                process=self.snippet(func.value),
                primitive=self.snippet(primitive),
            )

    def _never_joined_creation(
        self, start: cst.Call, receiver: cst.BaseExpression
    ) -> Optional[cst.Call]:
        """The call that created the process, when nothing but ``start()`` (and attributes) uses it."""
        model = self.model
        if isinstance(receiver, cst.Call):
            return receiver
        key = model.binding_key(receiver)
        if not isinstance(key, LocalVar):
            return None
        creation = model.values.creation_before(key, start)
        if creation is None:
            return None
        assignments = model.names.assignments_of(key)
        for name in model.names.references(key):
            if name in assignments:
                continue
            parent = model.parent(name)
            if not (isinstance(parent, cst.Attribute) and parent.value is name):
                return None
            if parent.attr.value in ("join", "sentinel", "is_alive", "exitcode"):
                return None
        return creation

    def _primitive_argument(self, creation: cst.Call) -> Optional[cst.BaseExpression]:
        """A name in ``args=`` bound to a lock-holding object of the parent (not a Manager proxy)."""
        args = call_argument(creation, 3, "args")
        if args is None:
            return None
        elements = tuple_elements(args)
        if elements is None:
            return None
        for element in elements:
            if not isinstance(element, cst.Name):
                continue
            kind: Optional[Kind] = self.model.kind_of(element)
            if (
                kind is not None
                and kind.name in SEMLOCK_KINDS
                and not kind.proxy
                and not kind.uses_threads
                and kind.family == "multiprocessing"
                and kind.method != "fork"
            ):
                return element
        return None

    def _parent_ends_after(self, start: cst.Call) -> bool:
        """Starting the process is the last thing the parent does: the statement (or the loop around
        it) ends the ``__main__`` guard, or ends a function whose call ends the guard."""
        model = self.model
        statement = model.statement_of(start)
        if statement is None:
            return False
        guard_or_function = self._climb_to_end(statement)
        if isinstance(guard_or_function, cst.If):
            return True
        if isinstance(guard_or_function, cst.FunctionDef):
            name = guard_or_function.name.value
            for call in model.tree.calls:
                if not (isinstance(call.func, cst.Name) and call.func.value == name):
                    continue
                if model.names.resolve_function(call.func) is not guard_or_function:
                    continue
                line = model.statement_of(call)
                if (
                    line is not None
                    and _bare_call(line) is call
                    and isinstance(self._climb_to_end(line), cst.If)
                ):
                    return True
        return False

    def _climb_to_end(self, statement: cst.CSTNode) -> Optional[cst.CSTNode]:
        """From a statement, climb while it is the last effective statement of its block (loops
        count as a whole); return the ``__main__`` guard or the function whose end it reaches."""
        model = self.model
        current = statement
        while True:
            block = model.parent(current)
            if not isinstance(block, cst.IndentedBlock):
                return None
            owner = model.parent(block)
            if not isinstance(owner, _LOOPS) and self._last_effective(block) is not current:
                return None
            if isinstance(owner, cst.FunctionDef):
                return owner
            if isinstance(owner, cst.If) and is_main_guard_test(owner.test) is True:
                if isinstance(model.parent(owner), cst.Module):
                    return owner
                return None
            if isinstance(owner, (cst.Else, cst.Finally)):
                owner = model.parent(owner)
            if not isinstance(owner, _BLOCKS):
                return None
            if isinstance(owner, cst.Try) and owner.finalbody is not None:
                return None
            current = owner
            while isinstance(model.parent(current), cst.If):
                outer = model.parent(current)  # an ``elif``: the chain's first ``if``
                assert outer is not None
                current = outer

    def _last_effective(self, block: cst.BaseSuite) -> Optional[cst.CSTNode]:
        """The block's last statement, skipping trailing ``print(...)`` lines."""
        if not isinstance(block, cst.IndentedBlock):
            return None
        for statement in reversed(block.body):
            call = _bare_call(statement)
            if (
                call is not None
                and isinstance(call.func, cst.Name)
                and call.func.value == "print"
                and self.model.qualname(call.func) in (None, "builtins.print", "print")
            ):
                continue
            return statement
        return None


def _bare_call(statement: Optional[cst.CSTNode]) -> Optional[cst.Call]:
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.Call)
    ):
        return statement.body[0].value
    return None
