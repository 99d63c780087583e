from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Severity
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import SEMLOCK_KINDS, Kind
from mplint.model import LocalVar, call_argument
from mplint.model.syntax import tuple_elements
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import ends_the_program


class UnjoinedProcessWithPrimitive(LintRule):
    """
    ## What it does
    Checks for processes that are handed a lock, semaphore, event, condition, barrier, queue or
    synchronised `Value`/`Array` of the parent in `args=`, started, and never joined, where starting
    them is the last thing the program does: the last statements of the `__main__` guard, or of the
    function (or the method of an instance, `App().run()`) the guard calls last. The object may be
    kept in a variable, an attribute (`self.lock`) or a container (`locks["io"]`), made by a factory,
    or handed to a helper that starts the process.

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
    GATE = Gate.of(needs(PROCESSES))

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
        for start, receiver, kind in model.method_calls_on_known("start"):
            if not kind.is_process or kind.family != "multiprocessing":
                continue
            creation = self._never_joined_creation(start, receiver)
            if creation is None or kind.cls is not None:
                continue
            if model.start_method(kind) == "fork" or model.workers.is_daemonic_process(
                kind.with_creator(creation)
            ):
                continue
            primitive = self._primitive_argument(creation)
            if primitive is None or not ends_the_program(model, start):
                continue
            self.report(
                start,
                process=self.snippet(receiver),
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
        """A variable, attribute (``self.lock``) or container item (``locks["io"]``) in ``args=`` holding
        a lock-holding object of the parent (not a Manager proxy; one made in the call itself is
        MPL407's)."""
        args = call_argument(creation, 3, "args")
        if args is None:
            return None
        elements = tuple_elements(args)
        if elements is None:
            return None
        for element in elements:
            if not isinstance(element, (cst.Name, cst.Attribute, cst.Subscript)):
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
