from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Optional

import libcst as cst

from mplint.api_table import EXECUTOR_TASK_METHODS, POOL_TASK_METHODS, QUEUE_PUT_METHODS
from mplint.diagnostics import Severity
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import (
    Model,
    PickleError,
    Submission,
    Via,
    call_argument,
    pickling_error,
    positional_args,
)
from mplint.rule import Invalid, LintRule, Valid

_CONNECTION_SEND = frozenset({"send"})
# Pool methods whose argument 1 is an iterable of task arguments (its items are pickled).
_ITERABLE_METHODS = frozenset(
    {"map", "map_async", "imap", "imap_unordered", "starmap", "starmap_async"}
)


class UnpicklableArgument(LintRule):
    """
    ## What it does
    Checks for objects that cannot be pickled sent where multiprocessing pickles them:

    - task arguments of a process pool (`apply_async(f, (lock,))`, the items of `map(f, [lock])`)
      and of a `ProcessPoolExecutor` (`submit(f, lock)`), including the arguments bound by a
      `functools.partial` task;
    - items put on a multiprocessing queue (`q.put(lock)`, and lambdas or local functions) or sent
      through a `Connection` (`conn.send(queue)`);
    - a bound method task (`pool.map(self.handle, items)`) whose instance holds such an object
      (`self.pool = Pool()`, `self.lock = Lock()`) and whose class does not customise pickling (an
      attribute set only after the instance was pickled, later in the same run of the function that
      started the process or sent the task, or set only by code that runs in the child, is not there
      yet and is not blamed);
    - under spawn and forkserver, `Process(args=...)`/`kwargs=` and `initargs=` of pools and executors
      that hold objects no pickler accepts: pools, executors, processes, managers and thread locks.

    The objects are multiprocessing locks (`Lock`, `RLock`, `Semaphore`, `BoundedSemaphore`,
    `Condition`, `Event`, `Barrier`), queues (`Queue`, `JoinableQueue`, `SimpleQueue`), shared ctypes
    (`Value`, `Array`, `RawValue`, `RawArray`), pools, executors, processes, managers, and `threading`
    locks and `queue.Queue`. Manager proxies (`manager.Lock()`, `manager.Queue()`) pickle fine and are
    not reported; nor are thread pools, which do not pickle.

    ## Why is this bad?
    Locks, queues and shared ctypes refuse to be pickled except while a child is being spawned
    (`multiprocessing/context.py` `assert_spawning`): the task fails with `RuntimeError: Lock objects
    should only be shared between processes through inheritance` (the same with `RLock`, `Semaphore`,
    `Condition` — also for `Event` and `Barrier` —, `Queue`, `JoinableQueue`, `SimpleQueue`,
    `Synchronized`, `SynchronizedArray`, `c_int` …), re-raised by `AsyncResult.get()`, `Pool.map()`
    or `Future.result()`; an `apply_async()` whose result is never read loses the task **silently**.
    Other objects fail whatever the moment:
    `NotImplementedError: pool objects cannot be passed between processes or pickled`
    (`multiprocessing/pool.py` `Pool.__reduce__`), `TypeError: cannot pickle '_thread.lock' object`
    (executors, thread locks, `queue.Queue`), `TypeError: Pickling an AuthenticationString object is
    disallowed for security reasons` (processes, managers).

    `Queue.put()` returns normally: the queue's feeder thread fails to pickle the item, prints the
    traceback (`multiprocessing/queues.py` `Queue._feed`) and drops it, so the consumer's `get()` waits
    forever or raises `queue.Empty` — the item is **lost**.

    `Process(args=(lock,))` and `Pool(initializer=init, initargs=(lock,))` are the supported way to
    hand a lock or queue to a child and are not reported.

    ## Example
    ```python
    lock = Lock()
    with Pool(4) as pool:
        pool.apply_async(work, (lock, item)).get()
    ```

    Use instead:
    ```python
    def init(shared_lock):
        global lock
        lock = shared_lock

    with Pool(4, initializer=init, initargs=(Lock(),)) as pool:
        pool.apply_async(work, (item,)).get()
    ```
    or a Manager proxy: `manager.Lock()` pickles.

    ## Fix safety
    There is no automatic fix: sharing the object by inheritance (`initializer`/`initargs`,
    `Process(args=...)`) or through a Manager changes the program's structure.

    ## References
    - [Programming guidelines](https://docs.python.org/3/library/multiprocessing.html#programming-guidelines):
      "Explicitly pass resources to child processes", "Avoid shared state".
    - [Managers](https://docs.python.org/3/library/multiprocessing.html#managers)
    """

    CODE = "MPL205"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "unpicklable-argument"
    MESSAGE = "`{arg}` {problem}"
    SEVERITY = Severity.ERROR

    VALID = [
        Valid(
            """
            import multiprocessing as mp
            def init(l): pass
            def work(x): return x
            def main():
                lock = mp.Lock()
                with mp.Pool(2, initializer=init, initargs=(lock,)) as pool:
                    pool.map(work, [1, 2])
                mp.Process(target=work, args=(lock,)).start()
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            def work(l): return 1
            def main():
                with mp.Manager() as manager:
                    lock = manager.Lock()
                    with mp.Pool(2) as pool:
                        pool.apply_async(work, (lock,)).get()
            """
        ),
        Valid(
            """
            import threading
            from multiprocessing.pool import ThreadPool
            def work(l): return 1
            def main():
                lock = threading.Lock()
                with ThreadPool(2) as pool:
                    pool.apply(work, (lock,))
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp
            def work(l): return 1
            def main():
                lock = mp.Lock()
                with mp.Pool(2) as pool:
                    pool.apply_async(work, (lock,)).get()
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            class Service:
                def __init__(self):
                    self.pool = mp.Pool(2)
                def handle(self, x):
                    return x
                def run(self, items):
                    return self.pool.map(self.handle, items)
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            def main():
                q = mp.Queue()
                q.put(mp.Lock())
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for submission in [*model.submissions(), *model.workers.run_in_executor_submissions]:
            if submission.owner.uses_threads or submission.via is Via.CALLBACK:
                continue
            if submission.via in (Via.POOL, Via.EXECUTOR):
                self._check_task(submission)
            elif submission.via in (Via.PROCESS, Via.INITIALIZER, Via.RUN):
                self._check_spawned(submission)
        for method in (*QUEUE_PUT_METHODS, *_CONNECTION_SEND):
            for call in model.tree.method_calls.get(method, []):
                self._check_put_or_send(call, method)

    # --- pool and executor tasks: always pickled ------------------------------------------------------
    def _check_task(self, submission: Submission) -> None:
        owner = submission.owner
        dill = owner.pickles_with_dill
        what = "pool" if submission.via is Via.POOL else "executor"
        where = f"the {what} pickles it with the task"
        for expr, items in self._task_arguments(submission):
            kind = self.model.kind_of(expr)
            if kind is None:
                continue
            if items:
                kind = _item_kind(kind)
                if kind is None:
                    continue
            error = pickling_error(kind, dill=dill)
            if error is not None:
                self._report_object(expr, _culprit(kind, dill), error, where, items=items)
        self._check_bound_method(submission.callable, dill, spawning=False, at=[submission.call])

    def _task_arguments(self, submission: Submission) -> Iterator[tuple[cst.BaseExpression, bool]]:
        """The expressions a task pickles, each with whether it is an iterable of task arguments."""
        call = submission.call
        func = call.func
        method = func.attr.value if isinstance(func, cst.Attribute) else ""
        yield from _partial_arguments(self.model, submission.callable)
        if submission.via is Via.POOL and method in POOL_TASK_METHODS:
            if method in ("apply", "apply_async"):
                yield from _elements(call_argument(call, 1, "args"))
                yield from _dict_values(call_argument(call, 2, "kwds"))
            elif method in _ITERABLE_METHODS:
                iterable = call_argument(call, 1, "iterable")
                if iterable is not None:
                    yield iterable, True
        elif submission.via is Via.EXECUTOR and method == "run_in_executor":
            for arg in positional_args(call)[2:]:
                yield arg.value, False
        elif submission.via is Via.EXECUTOR and method in EXECUTOR_TASK_METHODS:
            rest = [a for a in call.args if a.value is not submission.callable and not a.star]
            for arg in rest:
                if method == "map" and arg.keyword is None:
                    yield arg.value, True
                elif method == "submit":
                    yield arg.value, False

    # --- Process(args=...) / initargs= under spawn: only what no pickler takes ---------------------------
    def _check_spawned(self, submission: Submission) -> None:
        model = self.model
        owner = submission.owner
        if model.start_method(owner) == "fork" or model.startmethod.start_method_unknown(owner):
            return
        if submission.via is Via.PROCESS and model.workers.never_started(submission.call):
            return
        dill = owner.pickles_with_dill
        where = "spawn pickles it for the child"
        expressions: list[cst.BaseExpression] = list(submission.args or ())
        if submission.via is Via.RUN:  # a Process subclass: spawn pickles the whole instance
            expressions = model.values.stored_constructor_arguments(submission.call)
            if model.workers.never_started(submission.call):
                return
        if submission.via is Via.PROCESS:
            expressions.extend(
                e for e, _ in _dict_values(call_argument(submission.call, 4, "kwargs"))
            )
        expressions.extend(e for e, _ in _partial_arguments(model, submission.callable))
        for expr in expressions:
            kind = model.kind_of(expr)
            error = pickling_error(kind, dill=dill) if kind is not None else None
            if kind is not None and error is not None and not error.inherited:
                self._report_object(expr, _culprit(kind, dill), error, where)
        if submission.via is not Via.RUN:
            starts = model.values.object_calls(submission.call, ("start",))
            self._check_bound_method(
                submission.callable, dill, spawning=True, at=starts or [submission.call]
            )

    # --- self.method tasks -----------------------------------------------------------------------------
    def _check_bound_method(
        self,
        expr: cst.BaseExpression,
        dill: bool,
        *,
        spawning: bool,
        at: Sequence[cst.CSTNode],
    ) -> None:
        """``at``: where the instance is pickled (the task call, the process's ``start()``)."""
        model = self.model
        info = model.values.bound_method_instance(expr)
        if info is None:
            return
        state = model.pickling.unpicklable_state(info, at)
        if state is None:
            return
        attribute, kind, _ = state
        error = pickling_error(kind, dill=dill)
        if error is None or (spawning and error.inherited):
            return
        self.report(
            expr,
            arg=self.snippet(expr),
            problem=f"pickles its instance, whose `{attribute}` is {_article(kind.describe())} "
            f"({_exception(error)}); bind the data the task needs instead",
        )

    # --- queue.put() / connection.send() ----------------------------------------------------------------
    def _check_put_or_send(self, call: cst.Call, method: str) -> None:
        model = self.model
        func = call.func
        assert isinstance(func, cst.Attribute)
        receiver = model.kind_of(func.value)
        if receiver is None or receiver.uses_threads:
            return
        if method in QUEUE_PUT_METHODS:
            if not receiver.is_queue:
                return
            if receiver.proxy:
                where = "the manager pickles it"
            elif receiver.name is KindName.SIMPLE_QUEUE:
                where = "`put()` pickles it"
            else:
                where = "the queue's feeder thread pickles it (and drops it)"
        else:
            if receiver.name is not KindName.CONNECTION:
                return
            where = "`send()` pickles it"
        item = call_argument(call, 0, "obj")
        if item is None:
            return
        dill = receiver.pickles_with_dill
        kind = model.kind_of(item)
        error = pickling_error(kind, dill=dill) if kind is not None else None
        if kind is not None and error is not None:
            self._report_object(item, _culprit(kind, dill), error, where)
            return
        if not dill:
            found = model.pickling.unpicklable_callable(item)
            if found is not None:
                problem = f"is {found[0]}, which pickle cannot send, but {where}"
                self.report(item, arg=self.snippet(item), problem=problem)

    # --- helpers ---------------------------------------------------------------------------------------
    def _report_object(
        self,
        expr: cst.BaseExpression,
        kind: Kind,
        error: PickleError,
        where: str,
        *,
        items: bool = False,
    ) -> None:
        subject = f"holds {kind.describe()} items" if items else f"is {_article(kind.describe())}"
        if error.inherited:
            problem = f"{subject}, shared only by inheritance, but {where} ({_exception(error)})"
        else:
            problem = f"{subject}, which cannot be pickled, but {where} ({_exception(error)})"
        self.report(expr, arg=self.snippet(expr), problem=problem)


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _exception(error: PickleError) -> str:
    return error.error.split(":", 1)[0]


def _culprit(kind: Kind, dill: bool) -> Kind:
    """The object inside a list or tuple that cannot be pickled (for the message)."""
    inner = [kind.item] if kind.name in (KindName.SEQUENCE, KindName.MAPPING) else list(kind.items)
    for item in inner:
        if item is not None and pickling_error(item, dill=dill) is not None:
            return _culprit(item, dill)
    return kind


def _item_kind(kind: Kind) -> Optional[Kind]:
    """The kind of the items of an iterable of task arguments."""
    if kind.name is KindName.SEQUENCE:
        return kind.item
    if kind.name is KindName.TUPLE:
        items = [k for k in kind.items if k is not None]
        return items[0] if items and len(items) == len(kind.items) else None
    return None


def _elements(node: Optional[cst.BaseExpression]) -> Iterator[tuple[cst.BaseExpression, bool]]:
    if isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            if not isinstance(element, cst.StarredElement):
                yield element.value, False


def _dict_values(node: Optional[cst.BaseExpression]) -> Iterator[tuple[cst.BaseExpression, bool]]:
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                yield element.value, False
    elif (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict"
    ):
        for arg in node.args:
            if arg.keyword is not None:
                yield arg.value, False


def _partial_arguments(
    model: Model, expr: cst.BaseExpression
) -> Iterator[tuple[cst.BaseExpression, bool]]:
    """The arguments a ``functools.partial(f, a, k=b)`` task carries (pickled with it)."""
    if not (isinstance(expr, cst.Call) and model.qualname(expr.func) == "functools.partial"):
        return
    positional = positional_args(expr)
    for arg in expr.args:
        if arg.star or (positional and arg is positional[0]):
            continue
        yield arg.value, False
