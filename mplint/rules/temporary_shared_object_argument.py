from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertBefore, Replace
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import SEMLOCK_KINDS, Kind, KindName
from mplint.model import BindingKind, FlowKind, LocalVar, Submission, Via
from mplint.rule import Invalid, LintRule, Valid

_NAMES = {
    KindName.LOCK: "lock",
    KindName.RLOCK: "lock",
    KindName.SEMAPHORE: "semaphore",
    KindName.BOUNDED_SEMAPHORE: "semaphore",
    KindName.CONDITION: "condition",
    KindName.EVENT: "event",
    KindName.BARRIER: "barrier",
    KindName.QUEUE: "queue",
    KindName.JOINABLE_QUEUE: "queue",
    KindName.SIMPLE_QUEUE: "queue",
    KindName.VALUE: "value",
    KindName.ARRAY: "array",
    KindName.DICT: "shared_dict",
    KindName.LIST: "shared_list",
    KindName.NAMESPACE: "namespace",
}
_NESTED_SCOPES = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda)


class TemporarySharedObjectArgument(LintRule):
    """
    ## What it does
    Checks for a lock, queue, event, `Value`/`Array` or Manager proxy created inline in the arguments
    handed to a child: `Process(target=f, args=(mp.Lock(),))`, `pool.apply_async(f, (manager.Lock(),))`,
    `executor.submit(f, manager.dict())`. Nothing in the parent keeps a reference to it. The same goes
    for one created inline in the call of a helper that hands its parameter to the child and returns
    without waiting for it (`launch(mp.Lock())` with `def launch(lock): Process(target=f,
    args=(lock,)).start()`).

    ## Why is this bad?
    `Process.start()` drops its reference to `args` once the child is launched, and a pool task's
    arguments are dropped once they are sent. The parent's object is then garbage-collected while the
    child is still unpacking its copy:
    - a lock, event, queue or `Value` under `spawn`/`forkserver`: its named semaphore is unlinked, and
      the child dies in `multiprocessing/synchronize.py` (`SemLock.__setstate__`) with
      `FileNotFoundError: [Errno 2] No such file or directory`;
    - a Manager proxy, under every start method: the manager frees the object, the child's proxy cannot
      find it (`KeyError` in the manager server), the task fails with
      `multiprocessing.managers.RemoteError`, and `AsyncResult.get()` without a timeout hangs.

    A pool's or executor's `initargs` are not reported: the pool keeps them to start new workers.
    Neither are billiard's processes and pools: its `Process` keeps its arguments.
    Multiprocessing primitives handed to processes of an explicit `fork` context are not reported: the
    child inherits them. (`Manager().dict()` on an unnamed manager is not reported either: a proxy keeps
    a reference to its manager, so that manager lives as long as the proxy.)

    ## Example
    ```python
    Process(target=work, args=(mp.Lock(),)).start()
    pool.apply_async(work, (manager.Lock(),))
    ```

    Use instead:
    ```python
    lock = mp.Lock()
    p = Process(target=work, args=(lock,))
    p.start()
    ...
    p.join()
    ```

    ## Fix safety
    The fix binds the object to a new local variable on the line before and passes that variable. It is
    safe: the object is created at the same point and now lives until the function returns. If the
    function returns while the child is still starting, the object may still be collected: keep the
    variable alive (join the child, or store both) until then. The fix is therefore only offered where
    the variable outlives the child's start: at module level, or in a function that joins the process
    later (or waits for the pool or executor task at once with `.get()`/`.result()`), outside a loop (the
    next round would drop the previous object). A `p.start(); return p` helper gets no fix: the finding
    would disappear while the child still fails. Nor is it offered when the call sits in a comprehension
    or a lambda (hoisting it would share one object among several children).

    ## References
    - [Programming guidelines: "Explicitly pass resources to child
      processes"](https://docs.python.org/3/library/multiprocessing.html#programming-guidelines)
    - [cpython#110660](https://github.com/python/cpython/issues/110660): objects passed to `Process` are
      garbage-collected too soon
    """

    CODE = "MPL407"
    GATE = Gate.of(needs(PROCESSES))
    NAME = "temporary-shared-object-argument"
    MESSAGE = "`{arg}` is created inline for the child; nothing keeps it alive in the parent"
    FIX_TITLE = "Bind it to a local variable first"
    SEVERITY = Severity.WARNING
    FIX = "safe"

    VALID = [
        Valid(
            """
            import multiprocessing as mp
            def init(lock): pass
            if __name__ == '__main__':
                with mp.Pool(2, initializer=init, initargs=(mp.Lock(),)) as pool:
                    pass
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp
            def work(lock): pass
            if __name__ == '__main__':
                p = mp.Process(target=work, args=(mp.Lock(),))
                p.start()
                p.join()
            """,
            fixed="""
            import multiprocessing as mp
            def work(lock): pass
            if __name__ == '__main__':
                lock = mp.Lock()
                p = mp.Process(target=work, args=(lock,))
                p.start()
                p.join()
            """,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def work(lock): pass
            if __name__ == '__main__':
                with mp.Manager() as m, mp.Pool() as pool:
                    pool.apply_async(work, (m.Lock(),)).get()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        reported: set[cst.CSTNode] = set()
        for submission in model.submissions():
            if submission.owner.uses_threads or submission.via in (Via.CALLBACK, Via.INITIALIZER):
                continue
            for arg in model.inference.handed_arguments(submission):
                if isinstance(arg, cst.Name):
                    self._check_helper_parameter(submission, arg, reported)
                    continue
                kind = self._dying_temporary(arg, submission, reported)
                if kind is None:
                    continue
                assert isinstance(arg, cst.Call)
                fix = self._fix(arg, kind) if self._waited_for(submission) else None
                self.report(arg, fix=fix, arg=self.snippet(arg))

    def _dying_temporary(
        self, arg: cst.BaseExpression, submission: Submission, reported: set[cst.CSTNode]
    ) -> Optional[Kind]:
        """The kind of the object the call ``arg`` makes, when the child's copy breaks once it is
        collected and it is not reported yet (it is marked reported)."""
        if not isinstance(arg, cst.Call) or arg in reported:
            return None
        kind = self.model.kind_of(arg)
        if kind is None or kind.creator is not arg or not self._dies(kind, submission):
            return None
        reported.add(arg)
        return kind

    def _check_helper_parameter(
        self, submission: Submission, arg: cst.Name, reported: set[cst.CSTNode]
    ) -> None:
        """``def launch(lock): Process(target=f, args=(lock,)).start()`` returning without waiting
        for the child, called as ``launch(Lock())``: the caller's temporary dies with the helper's
        frame, as if it were made inline. The helper must keep the parameter nowhere else."""
        model = self.model
        binding = model.names.only_binding(arg)
        function = model.enclosing_function_node(submission.call)
        if binding is None or binding.how is not BindingKind.PARAM or function is None:
            return
        if binding.node is None or model.enclosing_function_node(binding.node) is not function:
            return
        if self._waited_for(submission):
            return
        key = model.binding_key(arg)
        if not isinstance(key, LocalVar):
            return
        loads = model.names.variable_loads(key)
        if not loads or not all(model.contains(submission.call, use) for use in loads):
            return  # kept or used some other way too
        for site in model.callgraph.calls_to(function):
            given = model.valueflow.call_binds(function, binding, site)
            if given is not None and self._dying_temporary(given, submission, reported) is not None:
                self.report(given, arg=self.snippet(given))

    def _dies(self, kind: Kind, submission: Submission) -> bool:
        """Collecting the parent's object breaks the child's copy, for this submission."""
        if submission.owner.family == "billiard":
            return False  # billiard's Process keeps its arguments (no ``del self._args``)
        # The child's copy needs the parent's object alive: a proxy's referent is freed by the manager
        # with it, a named semaphore is unlinked with it.
        if kind.proxy:
            return submission.via in (Via.PROCESS, Via.RUN, Via.POOL, Via.EXECUTOR)
        if kind.uses_threads or kind.name not in SEMLOCK_KINDS:
            return False
        if submission.via not in (Via.PROCESS, Via.RUN):
            return False  # a pool pickles it and fails at once (MPL205), whatever its lifetime
        model = self.model
        return model.start_method(submission.owner) != "fork" and kind.method != "fork"

    def _waited_for(self, submission: Submission) -> bool:
        """A variable bound on the line before lives long enough: at module level, or in a function
        (outside a loop, where the next round would drop it) that waits for the child before it can
        return: a ``join()`` of the process later in the function, or ``.get()``/``.result()`` on the
        task at once. Otherwise (``p.start(); return p``) the function returns while the child is still
        starting, and the variable dies with it."""
        model = self.model
        call = submission.call
        function = model.enclosing_function_node(call)
        for ancestor in model.ancestors(call):
            if ancestor is function:
                break
            if isinstance(ancestor, (cst.For, cst.While)):
                return False
        if function is None:
            return True
        flow = model.values.value_flow(call)
        if submission.via in (Via.PROCESS, Via.RUN):
            if (
                flow.how is not FlowKind.ASSIGNED
                or flow.key is None
                or not isinstance(flow.key, LocalVar)
            ):
                return False
            return any(
                model.precedes(call, join) and model.enclosing_function_node(join) is function
                for join in model.calls_on(flow.key, ("join",))
            )
        parent = model.parent(call)
        return (
            flow.how is FlowKind.METHOD
            and isinstance(parent, cst.Attribute)
            and parent.attr.value in ("get", "result")
        )

    def _fix(self, arg: cst.Call, kind: Kind) -> Optional[FixSpec]:
        model = self.model
        statement = model.statement_of(arg)
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            return None
        if model.tree.block_of(statement) is None:
            return None
        for ancestor in model.ancestors(arg):
            if ancestor is statement:
                break
            if isinstance(ancestor, _NESTED_SCOPES):
                return None
        for inner in arg.args:
            if not _simple(inner.value):
                return None
        if not _simple(arg.func):
            return None
        name = self._fresh_name(_NAMES.get(kind.name, "shared"), statement)
        if name is None:
            return None
        return self.fix(
            Applicability.SAFE,
            InsertBefore(statement, f"{name} = {self.code_for(arg)}"),
            Replace(arg, name),
        )

    def _fresh_name(self, base: str, at: cst.CSTNode) -> Optional[str]:
        model = self.model
        for candidate in (base, *(f"{base}_{n}" for n in range(2, 10))):
            if model.names.new_variable_is_safe(candidate, at):
                return candidate
        return None


def _simple(expr: cst.BaseExpression) -> bool:
    """Names, attributes and literals: evaluating them a line earlier changes nothing."""
    if isinstance(expr, (cst.Name, cst.BaseNumber, cst.SimpleString)):
        return True
    if isinstance(expr, cst.Attribute):
        return _simple(expr.value)
    if isinstance(expr, cst.UnaryOperation):
        return _simple(expr.expression)
    if isinstance(expr, (cst.Tuple, cst.List)):
        return all(_simple(e.value) for e in expr.elements)
    return False
