from __future__ import annotations

from collections.abc import Callable
from typing import Optional

import libcst as cst

from mplint.diagnostics import Severity
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import BindingKind, ExecContext, FunctionNode, LocalVar, Submission, Via
from mplint.rule import Invalid, LintRule, Valid


class LockNotShared(LintRule):
    """
    ## What it does
    Checks for locks that cannot keep two processes apart:
    - a lock created inside a function that runs in a child process and only used there
      (`lock = Lock(); with lock: ...`, also kept under a constant key of a local dict, or made from a
      lock class the parent hands the worker, `lock = lock_cls()`): every call makes a new lock, so it
      protects nothing;
    - a module-level multiprocessing lock (`LOCK = mp.Lock()`) that a child's code uses directly,
      unless the start method is explicitly `fork`: under `spawn` and `forkserver` every child
      re-imports the module and creates a lock of its own;
    - a `threading` lock (or a `multiprocessing.dummy` one) handed to a process, a pool or an executor
      in its arguments.

    It supersedes MPL205 on the same argument: for a `threading` lock the pickling error is a
    consequence of using a lock that processes cannot share.

    ## Why is this bad?
    Nothing fails: the critical sections simply overlap. With a lock created inside the worker, all the
    critical sections of four workers overlapped; with a module-level lock, none overlapped under fork
    but all did under spawn, where each child's `import` ran `mp.Lock()` again. A `threading.Lock` only
    works within one process: passed to a `spawn` child or to any pool it fails to pickle with
    `TypeError: cannot pickle '_thread.lock' object`; inherited through `fork` it is a separate copy in
    each child and does not synchronise them.

    Not reported: a lock that the function hands on (to a thread, a helper, an attribute), a module-level
    lock that a pool `initializer` replaces (`global LOCK; LOCK = lock`), the `get_lock()` of a
    synchronized `Value` or `Array` (it creates nothing: it returns the lock the object was made with,
    which travels with it to every child), and code whose processes use an explicit `fork` context (or
    `set_start_method("fork")`, or `start-method = "fork"`). The `get_lock()` of a module-level `Value`
    (`LOCK = COUNTER.get_lock()`) is a module-level lock: each spawned child's import makes the `Value`
    again, with a new lock.

    ## Example
    ```python
    LOCK = mp.Lock()

    def log(msg):
        with LOCK:  # a different lock in every spawned child
            write(LOGFILE, msg)
    ```

    Use instead:
    ```python
    def init(lock):
        global LOCK
        LOCK = lock

    if __name__ == "__main__":
        lock = mp.Lock()
        with mp.Pool(4, initializer=init, initargs=(lock,)) as pool:
            ...  # or Process(target=f, args=(lock,))
    ```

    ## Fix safety
    There is no automatic fix: the lock must be created once, in the parent, and passed to every
    child.

    ## References
    - [Programming guidelines: "Explicitly pass resources to child
      processes"](https://docs.python.org/3/library/multiprocessing.html#programming-guidelines)
    - [Contexts and start methods](https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods)
    """

    CODE = "MPL405"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "lock-not-shared"
    MESSAGE = "{problem}"
    SEVERITY = Severity.ERROR
    SUPERSEDES = frozenset({"MPL205"})

    VALID = [
        Valid(
            """
            import multiprocessing as mp
            def work(lock, i):
                with lock:
                    print(i)
            if __name__ == '__main__':
                lock = mp.Lock()
                for i in range(3):
                    mp.Process(target=work, args=(lock, i)).start()
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            ctx = mp.get_context('fork')
            LOCK = ctx.Lock()
            def work(i):
                with LOCK:
                    print(i)
            if __name__ == '__main__':
                ctx.Process(target=work, args=(1,)).start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp
            def work(i):
                lock = mp.Lock()
                with lock:
                    print(i)
            if __name__ == '__main__':
                with mp.Pool() as pool:
                    pool.map(work, range(3))
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            LOCK = mp.Lock()
            def work(i):
                with LOCK:
                    print(i)
            if __name__ == '__main__':
                mp.Process(target=work, args=(1,)).start()
            """
        ),
        Invalid(
            """
            import multiprocessing as mp, threading
            def work(lock, i):
                with lock:
                    print(i)
            if __name__ == '__main__':
                lock = threading.Lock()
                mp.Process(target=work, args=(lock, 1)).start()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        workers = model.workers.worker_functions(processes_only=True)
        rebound = self._rebound_globals()
        for function in workers:
            submissions = model.workers.worker_submissions(function)
            if not submissions:
                continue
            self._check_local_locks(function)
            self._check_module_locks(function, submissions, rebound)
        for submission in model.submissions():
            if submission.owner.uses_threads or submission.via is Via.CALLBACK:
                continue
            for arg in model.inference.handed_arguments(submission):
                kind = model.kind_of(arg)
                if kind is not None and kind.name is KindName.THREAD_LOCK:
                    self.report(
                        arg,
                        problem=f"`{self.snippet(arg)}` belongs to `threading`; child "
                        "processes cannot share it",
                    )

    # --- a lock made by the worker itself --------------------------------------------------------------
    def _check_local_locks(self, function: FunctionNode) -> None:
        model = self.model
        for call in model.callgraph.function_calls(function):
            kind = model.kind_of(call)
            if kind is None or kind.creator is not call or not _is_lock(kind):
                continue
            parent = model.parent(call)
            if isinstance(parent, cst.WithItem) and parent.item is call:
                self._report_local(call)
                continue
            name = model.tree.assigned_name(call)
            if name is None:
                if self._slot_used_only_locally(function, call):
                    self._report_local(call)
                continue
            if self._used_only_locally(function, name):
                self._report_local(call)

    def _slot_used_only_locally(self, function: FunctionNode, call: cst.Call) -> bool:
        """The lock is kept under a constant key of a dict local to the worker (``locks = {"out":
        Lock()}``), bound once, and every read of the slot is ``with locks["out"]:`` or an
        ``acquire()``/``release()`` of it; the dict is not handed on."""
        model = self.model
        slot = model.slots.stored_slot(call)
        container = slot.container if slot is not None else None
        if not isinstance(container, LocalVar) or container.scope is not function:
            return False
        if len(model.names.assignments_of(container)) != 1:
            return False
        uses = model.slots.slot_uses(container)
        if uses is None:
            return False
        used = False
        for read, found in uses:
            if model.enclosing_function_node(read) is not function:
                return False  # captured by a nested function or lambda
            if found != slot:
                continue
            if not _locks_with(model.parent(read), read, model.parent):
                return False
            used = True
        return used

    def _used_only_locally(self, function: FunctionNode, name: cst.Name) -> bool:
        """Every use of the variable is ``with name:`` or ``name.acquire()``/``release()`` here."""
        model = self.model
        key = model.binding_key(name)
        if key is None or len(model.names.assignments_of(key)) != 1:
            return False
        used = False
        for use in model.tree.name_uses(name.value):
            if use is name or model.binding_key(use) != key:
                continue
            if model.enclosing_function_node(use) is not function:
                return False  # captured by a nested function or lambda
            if not _locks_with(model.parent(use), use, model.parent):
                return False
            used = True
        return used

    def _report_local(self, call: cst.Call) -> None:
        self.report(
            call,
            problem=f"`{self.snippet(call)}` is a new lock on every call in the child; "
            "it protects nothing",
        )

    # --- a module-level lock that spawned children re-create ---------------------------------------------
    def _rebound_globals(self) -> set[str]:
        """Module variables some function rebinds through ``global`` (an initializer's ``LOCK = l``)."""
        model = self.model
        names: set[str] = set()
        for scope in model.names.scopes.values():
            if isinstance(scope.node, (cst.FunctionDef, cst.Lambda)):
                names.update(scope.global_names)
        return names

    def _check_module_locks(
        self, function: FunctionNode, submissions: list[Submission], rebound: set[str]
    ) -> None:
        model = self.model
        if all(model.start_method(s.owner) == "fork" for s in submissions):
            return
        reported: set[str] = set()
        for name, uses in model.names.global_reads(function).items():
            if name in rebound or name in reported:
                continue
            kind = self._module_lock(name)
            if kind is None or model.start_method(kind) == "fork":
                continue
            own = [u for u in uses if model.enclosing_function_node(u) is function]
            if not own:
                continue
            reported.add(name)
            self.report(
                own[0],
                problem=f"`{name}` is re-created by each spawned child's import; the children "
                "do not share it",
            )

    def _module_lock(self, name: str) -> Optional[Kind]:
        """The kind of a module variable bound once, at import time, to a new multiprocessing lock."""
        model = self.model
        bindings = model.names.module_scope.bindings.get(name, [])
        if len(bindings) != 1 or bindings[0].how is not BindingKind.ASSIGN or bindings[0].path:
            return None
        binding = bindings[0]
        value = binding.value
        if not isinstance(value, cst.Call) or model.exec_context(binding.node) is not (
            ExecContext.IMPORT
        ):
            return None
        if model.tree.is_main_file:
            return None
        kind = model.kind_of(value)
        if kind is None or kind.proxy or not kind.is_lock_like:
            return None
        if kind.creator is not value and not self._lock_of_module_value(value):
            return None
        if kind.uses_threads or kind.family == "threading":
            return None
        return kind

    def _lock_of_module_value(self, call: cst.Call) -> bool:
        """``COUNTER.get_lock()`` where ``COUNTER`` is a Value or Array made at import time: each
        spawned child's import makes a new one, with a new lock."""
        model = self.model
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "get_lock"):
            return False
        owner = model.kind_of(func.value)
        return (
            owner is not None
            and owner.creator is not None
            and model.exec_context(owner.creator) is ExecContext.IMPORT
        )


def _locks_with(
    parent: Optional[cst.CSTNode],
    use: cst.BaseExpression,
    parent_of: Callable[[cst.CSTNode], Optional[cst.CSTNode]],
) -> bool:
    """``use`` is locked or unlocked: ``with use:``, ``use.acquire()``/``release()``/``locked()``."""
    if isinstance(parent, cst.WithItem) and parent.item is use:
        return True
    return (
        isinstance(parent, cst.Attribute)
        and parent.value is use
        and parent.attr.value in ("acquire", "release", "locked")
        and isinstance(parent_of(parent), cst.Call)
    )


def _is_lock(kind: Kind) -> bool:
    """A lock of multiprocessing (not a Manager's) or of ``threading``."""
    if kind.proxy:
        return False
    return kind.is_lock_like or kind.name is KindName.THREAD_LOCK
