from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, NodeEdit, Replace
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import BindingKind, FunctionNode, LocalVar, Submission, Via
from mplint.model.syntax import root_name
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import spelling_with_import

_THREAD_KINDS = (KindName.THREAD_QUEUE, KindName.THREAD_LOCK)
# What replaces a thread-only class, by the last part of its qualified name.
_REPLACEMENTS = {
    "Queue": "Queue",
    "SimpleQueue": "Queue",
    "JoinableQueue": "JoinableQueue",
    "Lock": "Lock",
    "RLock": "RLock",
    "Semaphore": "Semaphore",
    "BoundedSemaphore": "BoundedSemaphore",
    "Condition": "Condition",
    "Event": "Event",
    "Barrier": "Barrier",
}
_THREAD_ONLY_ROOTS = ("queue.", "threading.", "multiprocessing.dummy.")


class ThreadQueueAcrossProcesses(LintRule):
    """
    ## What it does
    Checks for thread-only objects — `queue.Queue` (and `LifoQueue`, `PriorityQueue`,
    `SimpleQueue`), `threading.Lock`, `RLock`, `Semaphore`, `Condition`, `Event`, `Barrier`, and their
    `multiprocessing.dummy` aliases — handed to a child process: in `args=`/`kwargs=` of a `Process`,
    the constructor of a `Process` subclass, the arguments of a process pool's or executor's task, or
    `initargs=`. Also checks for a module-level `queue.Queue` that a worker function writes to (or reads
    from) while the parent reads from it (or writes to it).

    It supersedes MPL205 and MPL405 on the same argument: a `threading` lock or a `queue.Queue`
    sent to a process is one mistake, and this rule names the object and what happens under each
    start method.

    ## Why is this bad?
    These objects live in one process's memory. Under `spawn` and `forkserver`, starting the process
    fails while pickling it: `TypeError: cannot pickle '_thread.lock' object` (raised by
    `Process.start()`; for pool and executor tasks always, whatever the start method). Under `fork` the
    child gets its own copy: what it puts there is **silently lost** for the parent, whose `q.get()`
    then blocks forever (or raises `queue.Empty` after its timeout), and a lock "shared" this way
    excludes nothing.

    Thread pools (`ThreadPool`, `ThreadPoolExecutor`, `multiprocessing.dummy`) and threads are fine
    and not reported; neither are thread objects used only on one side, nor module-level locks (each
    process legitimately has its own, for its own threads). `asyncio.Queue` is not modelled yet.

    ## Example
    ```python
    import queue
    from multiprocessing import Process

    results = queue.Queue()
    p = Process(target=produce, args=(results,))
    p.start()
    p.join()
    print(results.get(timeout=2))
    ```

    Use instead:
    ```python
    import multiprocessing
    from multiprocessing import Process

    results = multiprocessing.Queue()
    p = Process(target=produce, args=(results,))
    p.start()
    print(results.get(timeout=2))
    p.join()
    ```

    ## Fix safety
    For objects passed in `args=`, a `Process` subclass constructor or `initargs=`, the fix creates the
    `multiprocessing` counterpart instead (`Queue`, or `JoinableQueue` when `task_done()`/`join()` are
    used; the same class for locks, events …), from the same context as the process when it has one. It
    is unsafe: items must now be picklable, `multiprocessing.Queue` has no `task_done()`, and its
    `empty()`/`qsize()` are less reliable. Objects given to pool or executor tasks need a
    `Manager()` proxy instead: no automatic fix. `LifoQueue`/`PriorityQueue` have no counterpart.

    ## References
    - [Exchanging objects between processes](https://docs.python.org/3/library/multiprocessing.html#exchanging-objects-between-processes).
    - [`queue`](https://docs.python.org/3/library/queue.html): "The queue module implements
      multi-producer, multi-consumer queues ... useful in threaded programming".
    """

    CODE = "MPL504"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "thread-queue-across-processes"
    MESSAGE = "`{name}` is a `{what}`, which only works between threads: {fate}"
    FIX_TITLE = "Use the multiprocessing counterpart"
    SEVERITY = Severity.ERROR
    FIX = "unsafe"
    SUPERSEDES = frozenset({"MPL205", "MPL405"})

    VALID = [
        Valid(
            """
            import queue
            from multiprocessing.pool import ThreadPool
            def work(q): q.put(1)
            q = queue.Queue()
            with ThreadPool(2) as pool:
                pool.apply(work, (q,))
            """
        ),
        Valid(
            """
            import multiprocessing, threading
            def work(lock):
                with lock: pass
            lock = multiprocessing.Lock()
            t = threading.Thread(target=work, args=(threading.Lock(),))
            p = multiprocessing.Process(target=work, args=(lock,))
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp
            import queue
            def work(q): q.put(1)
            def main():
                q = queue.Queue()
                p = mp.Process(target=work, args=(q,))
                p.start()
                try:
                    print(q.get(timeout=2))
                except queue.Empty:
                    pass
            """,
            fixed="""
            import multiprocessing as mp
            import queue
            def work(q): q.put(1)
            def main():
                q = mp.Queue()
                p = mp.Process(target=work, args=(q,))
                p.start()
                try:
                    print(q.get(timeout=2))
                except queue.Empty:
                    pass
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import threading
            from concurrent.futures import ProcessPoolExecutor
            def work(lock): return 1
            def main():
                lock = threading.Lock()
                with ProcessPoolExecutor() as ex:
                    ex.submit(work, lock).result()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        # each argument with its kind and the first submission that hands it over
        found: dict[cst.BaseExpression, tuple[Kind, Submission]] = {}
        for submission in model.submissions():
            if submission.via in (Via.CALLBACK, Via.THREAD) or submission.owner.uses_threads:
                continue
            for arg in self._arguments(submission):
                kind = model.kind_of(arg)
                if kind is not None and kind.name in _THREAD_KINDS:
                    found.setdefault(arg, (kind, submission))
        # Import names whose use the fixes remove: an import only they use would be left unused.
        self._rewritten = {
            root_name(kind.creator.func) for kind, _ in found.values() if kind.creator is not None
        }
        for arg, (kind, submission) in found.items():
            self._report_argument(arg, kind, submission)
        self._check_globals()

    def _arguments(self, submission: Submission) -> list[cst.BaseExpression]:
        model = self.model
        out = [
            *model.handoff.submitted_arguments(submission),
            *(submission.args or ()),
            *model.handoff.submitted_keywords(submission).values(),
        ]
        bound = submission.callable
        if isinstance(bound, cst.Call) and model.qualname(bound.func) == "functools.partial":
            out.extend(a.value for a in bound.args[1:] if not a.star)
        if submission.via in (Via.POOL, Via.EXECUTOR):
            out.extend(a.value for a in submission.call.args[1:] if a.keyword is not None)
        return out

    def _report_argument(self, arg: cst.BaseExpression, kind: Kind, submission: Submission) -> None:
        if submission.via in (Via.POOL, Via.EXECUTOR):
            fate = "pickling the task fails (`TypeError: cannot pickle '_thread.lock' object`)"
            fix = None
        else:
            fate = (
                "the child gets a private copy under fork, and cannot pickle it under spawn "
                "(`TypeError: cannot pickle '_thread.lock' object`)"
            )
            fix = self._fix(arg, kind, submission)
        self.report(
            arg,
            fix=fix,
            name=self.code_for(arg),
            what=self._describe(kind),
            fate=fate,
        )

    def _describe(self, kind: Kind) -> str:
        if kind.creator is not None:
            qual = self.model.qualname(kind.creator.func)
            if qual is not None and qual.startswith(_THREAD_ONLY_ROOTS):
                return qual
        return kind.name.value

    # --- globals written on one side and read on the other --------------------------------------------
    def _check_globals(self) -> None:
        model = self.model
        child = self._child_functions()
        if not child:
            return
        scope = model.names.module_scope
        for name, bindings in scope.bindings.items():
            values = [b.value for b in bindings if b.how is BindingKind.ASSIGN and not b.path]
            if len(values) != 1 or len(bindings) != 1 or values[0] is None:
                continue
            kind = model.kind_of(values[0])
            if kind is None or kind.name is not KindName.THREAD_QUEUE:
                continue
            key = LocalVar(model.module, name)
            methods = (*api_table.QUEUE_GET_METHODS, *api_table.QUEUE_PUT_METHODS)
            calls = model.calls_on(key, methods)
            inside = [c for c in calls if model.enclosing_function_node(c) in child]
            outside = [c for c in calls if model.enclosing_function_node(c) not in child]
            if not inside or not outside:
                continue
            verbs_in = {c.func.attr.value for c in inside if isinstance(c.func, cst.Attribute)}
            verbs_out = {c.func.attr.value for c in outside if isinstance(c.func, cst.Attribute)}
            puts_in = bool(verbs_in & api_table.QUEUE_PUT_METHODS)
            gets_out = bool(verbs_out & api_table.QUEUE_GET_METHODS)
            gets_in = bool(verbs_in & api_table.QUEUE_GET_METHODS)
            puts_out = bool(verbs_out & api_table.QUEUE_PUT_METHODS)
            if not ((puts_in and gets_out) or (gets_in and puts_out)):
                continue
            first = inside[0]
            self.report(
                first,
                name=name,
                what=self._describe(kind),
                fate="this worker runs in a child process, which has its own copy of the module's "
                "queue (items never reach the parent, or the parent's never reach it)",
            )

    def _child_functions(self) -> set[FunctionNode]:
        """Functions that run in a child process: process workers, and threads those start."""
        model = self.model
        child: set[FunctionNode] = set(model.workers.worker_functions(processes_only=True))
        for _ in range(3):
            grown = False
            for submission in model.submissions():
                if submission.via is not Via.THREAD:
                    continue
                if model.enclosing_function_node(submission.call) not in child:
                    continue
                root = model.workers.submission_root(submission)
                if root is None:
                    continue
                for function in model.callgraph.reachable_functions(root):
                    if function not in child:
                        child.add(function)
                        grown = True
            if not grown:
                break
        return child

    # --- the fix -----------------------------------------------------------------------------------
    def _fix(
        self, arg: cst.BaseExpression, kind: Kind, submission: Submission
    ) -> Optional[FixSpec]:
        model = self.model
        creator = kind.creator
        if creator is None:
            return None
        qual = model.qualname(creator.func)
        if qual is None or not qual.startswith(_THREAD_ONLY_ROOTS):
            return None
        cls = _REPLACEMENTS.get(qual.rsplit(".", 1)[-1])
        if cls is None:
            return None
        if cls == "Queue" and self._uses_task_done(arg, submission):
            cls = "JoinableQueue"
        owner = submission.owner
        edits: list[NodeEdit] = []
        if owner.method is not None:
            text = self._context_spelling(owner, creator, cls)
            if text is None:
                return None
        else:
            root = owner.family if owner.family in api_table.FAMILY_ROOTS else "multiprocessing"
            spelled = spelling_with_import(model, f"{root}.{cls}", creator)
            if spelled is None:
                return None
            text, import_edits = spelled
            edits.extend(import_edits)
        if not model.importer.import_kept(creator.func, text, self._rewritten):
            return None
        edits.append(Replace(creator.func, text))
        return self.fix(Applicability.UNSAFE, *edits)

    def _uses_task_done(self, arg: cst.BaseExpression, submission: Submission) -> bool:
        model = self.model
        methods = ("task_done", "join")
        key = model.binding_key(arg)
        if key is not None and model.calls_on(key, methods):
            return True
        return bool(model.handoff.worker_calls(submission, arg, methods))

    def _context_spelling(self, owner: Kind, creator: cst.Call, cls: str) -> Optional[str]:
        """``ctx.Queue`` when the process came from ``ctx.Process`` and ``ctx`` is visible here."""
        model = self.model
        made = owner.creator
        if made is None or not isinstance(made.func, cst.Attribute):
            return None
        context = made.func.value
        if not isinstance(context, cst.Name):
            return None
        here = model.lookup(context.value, creator)
        if not here or here is not model.lookup(context.value, context):
            return None
        return f"{context.value}.{cls}"

    _rewritten: set[Optional[cst.Name]]
