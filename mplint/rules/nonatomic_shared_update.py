from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, ReplaceLines
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import FunctionNode, keyword_arg
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import descendants, lone_statement_line
from mplint.rules._running_children import RunningChildren

Update = Union[cst.AugAssign, cst.Assign]

_WORKERS = "concurrent workers lose updates"
_PARENT = "a child process updates it meanwhile, and updates are lost"
_CHILD = "the parent updates it meanwhile, and updates are lost"


@dataclass(frozen=True)
class Write:
    """A store to a shared object: the statement, the call that made the object, the slot written
    (``"value"``, a Namespace attribute, a literal key or index; None for a computed key), and
    whether it reads the object first."""

    node: cst.CSTNode
    creator: cst.Call
    slot: Optional[str]
    #: A read-modify-write (``+=``, ``x = x + …``), not a plain store.
    update: bool


def _slot(target: cst.BaseExpression) -> Optional[str]:
    """The part of the shared object ``target`` names: an attribute's name, a literal subscript's
    ``repr``, None for a computed subscript."""
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            value = index.value
            if isinstance(value, cst.SimpleString):
                return repr(value.evaluated_value)
            if isinstance(value, cst.Integer):
                return repr(value.evaluated_value)
    return None


class NonatomicSharedUpdate(LintRule):
    """
    ## What it does
    Checks for read-modify-write updates of shared memory and Manager proxies made while another
    process writes the same object, outside any lock: `counter.value += 1` on a `Value`, `arr[i] += x`
    on an `Array`, `stats["n"] += 1` or `d[k] = d.get(k, 0) + 1` on a Manager `dict`, `ns.total += x`
    on a Manager `Namespace`.

    Two cases are reported. Code that several worker processes run at the same time: a pool's tasks
    or initializer, executor tasks, or processes started in a loop (or from several places). And the
    parent and a child at the same time: the parent updates the object while a child that writes the
    same object (the same `value`, attribute or literal key) runs: after the child's `start()` and
    before the wait for it (`join()`, a helper that joins, `terminate()`), or while a pool's or an
    executor's tasks run (after `apply_async`/`map_async`/`submit`, in the loop over `imap`, before
    `get()` or the end of the `with` block). The parent's update may be in the function that starts
    the child, in a helper it calls (the object passed as a parameter, kept in `self` or in a dict),
    or in a thread of the parent (a monitor, a progress reporter) running at that time. Both sides of
    such a pair are reported.

    A `with` block on a lock (or on any object mplint cannot identify, such as a custom lock), code
    between `lock.acquire()` and `lock.release()`, and helpers called only from such places are
    considered protected.

    ## Why is this bad?
    `+=` is a read followed by a write. A `Value` takes its lock for the read and again for the write
    (the `value` property built in `multiprocessing/sharedctypes.py`), and a proxy sends `__getitem__`
    and `__setitem__` to the manager as two separate calls: another process (or a thread of the
    parent) can write in between, and its update is silently lost. No exception is raised. 4
    processes doing 20,000 `counter.value += 1` each ended at 38,264 instead of 80,000; a Manager
    dict's `d["count"] += 1`, 4 x 500 times, ended at 778 instead of 2,000. A parent and one child each
    doing 20,000 `counter.value += 1` at the same time ended between 20,000 and 35,000 instead of
    40,000 (nine runs); a parent thread and a child each doing 300 `d["count"] += 1` ended between 366
    and 372 instead of 600 (three runs).

    A single writer (one process started once, the parent included), updates made before the
    children start or after they are joined, and stores that do not read (`d["state"] = "done"`) are
    not reported. Neither is a pair whose literal keys differ, where only one key is a literal, or
    where both keys are computed but one side only stores (`results[name] = r`: each writer keeps to
    its own keys).

    ## Example
    ```python
    def work(counter, stats):
        for _ in range(N):
            counter.value += 1
            stats["count"] += 1

    child = Process(target=work, args=(counter, stats))
    child.start()
    while child.is_alive():
        stats["count"] += 1  # the parent writes meanwhile
    child.join()
    ```

    Use instead:
    ```python
    def work(counter, stats, lock):
        for _ in range(N):
            with counter.get_lock():
                counter.value += 1
            with lock:  # a Manager().Lock() passed to every worker
                stats["count"] += 1

    child = Process(target=work, args=(counter, stats, lock))
    child.start()
    while child.is_alive():
        with lock:  # the same lock in the parent
            stats["count"] += 1
    child.join()
    ```

    ## Fix safety
    For a `Value` or `Array` created here with its default lock (no `lock=` argument, or `lock=True`),
    the update is wrapped in `with counter.get_lock():`. The fix is safe: the default lock is an `RLock`,
    so the property's own acquire inside the block does not block. It is not offered when any `Value`
    that can reach the statement was created with `lock=<a lock>` (a plain `Lock` would deadlock against
    the getter), with `lock=False` or as a `RawValue`/`RawArray` (they have no `get_lock()`), nor for
    Manager proxies (pass a `Manager().Lock()` to the workers and hold it, in the parent too). In the
    parent the fix is the same and as safe: the parent's `with counter.get_lock():` excludes the
    child's update when the child holds the lock too.

    ## References
    - [`multiprocessing.Value`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Value):
      "Operations like += which involve a read and write are not atomic."
    - [Proxy objects](https://docs.python.org/3/library/multiprocessing.html#proxy-objects)
    - [cpython#137233](https://github.com/python/cpython/issues/137233): a thread of the parent and a
      child process updating one Manager dict lose updates
    """

    CODE = "MPL402"
    GATE = Gate.of(needs(PROCESSES))
    NAME = "nonatomic-shared-update"
    MESSAGE = "`{update}` is a read then a write; {race}"
    FIX_TITLE = "Hold the value's lock around the update"
    SEVERITY = Severity.WARNING
    FIX = "safe"

    VALID = [
        Valid(
            """
            from multiprocessing import Pool, Value
            def init(c):
                global counter
                counter = c
            def work(x):
                with counter.get_lock():
                    counter.value += x
            if __name__ == '__main__':
                c = Value('i', 0)
                with Pool(4, initializer=init, initargs=(c,)) as pool:
                    pool.map(work, range(10))
            """
        ),
        Valid(
            """
            from multiprocessing import Process, Value
            def progress(done):
                for _ in range(10):
                    done.value += 1
            if __name__ == '__main__':
                done = Value('i', 0)
                p = Process(target=progress, args=(done,))
                p.start()
                p.join()
            """
        ),
        Valid(
            """
            from multiprocessing import Process, Value
            def work(done):
                with done.get_lock():
                    done.value += 1
            if __name__ == '__main__':
                done = Value('i', 0)
                done.value += 1
                p = Process(target=work, args=(done,))
                p.start()
                with done.get_lock():
                    done.value += 1
                p.join()
                done.value += 1
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process, Value
            def work(counter):
                counter.value += 1
            if __name__ == '__main__':
                counter = Value('i', 0)
                for _ in range(4):
                    Process(target=work, args=(counter,)).start()
            """,
            fixed="""
            from multiprocessing import Process, Value
            def work(counter):
                with counter.get_lock():
                    counter.value += 1
            if __name__ == '__main__':
                counter = Value('i', 0)
                for _ in range(4):
                    Process(target=work, args=(counter,)).start()
            """,
        ),
        Invalid(
            """
            from multiprocessing import Manager, Pool
            def work(stats, word):
                stats[word] = stats.get(word, 0) + 1
            if __name__ == '__main__':
                with Manager() as m, Pool() as pool:
                    stats = m.dict()
                    pool.starmap(work, [(stats, w) for w in 'abc'])
            """
        ),
        Invalid(
            """
            from multiprocessing import Process, Value
            def download(received, urls):
                for url in urls:
                    received.value += len(url)
            if __name__ == '__main__':
                received = Value('l', 0)
                child = Process(target=download, args=(received, ['a', 'bb']))
                child.start()
                received.value += 1
                child.join()
            """,
            fixed="""
            from multiprocessing import Process, Value
            def download(received, urls):
                for url in urls:
                    with received.get_lock():
                        received.value += len(url)
            if __name__ == '__main__':
                received = Value('l', 0)
                child = Process(target=download, args=(received, ['a', 'bb']))
                child.start()
                with received.get_lock():
                    received.value += 1
                child.join()
            """,
        ),
    ]

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._check(node, node.target)

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1:
            return
        target = node.targets[0].target
        if not isinstance(target, (cst.Attribute, cst.Subscript)):
            return
        if self._shared_object(target) is None:
            return  # most assignments: not to a shared object (its kind is memoised, the walk is not)
        if self._reads_holder(node, target):
            self._check(node, target)

    def _reads_holder(self, node: cst.Assign, target: Union[cst.Attribute, cst.Subscript]) -> bool:
        """``v.value = v.value + 1`` / ``d[k] = d.get(k, 0) + 1``: the new value reads the object."""
        holder = target.value
        key = (
            self.model.binding_key(holder)
            if isinstance(holder, (cst.Name, cst.Attribute))
            else None
        )
        if key is None:
            return False
        return any(
            isinstance(n, (cst.Name, cst.Attribute)) and self.model.binding_key(n) == key
            for n in descendants(node.value)
        )

    def _check(self, update: Update, target: cst.BaseExpression) -> None:
        model = self.model
        shared = self._shared_object(target)
        if shared is None:
            return
        holder, kind = shared
        function = model.enclosing_function_node(update)
        if function is not None and self._concurrent(function):
            race = _WORKERS
        else:
            found = self._race_with_parent(update, target, kind)
            if found is None:
                return
            race = found
        if model.state.held_locks_cover(update):
            return
        self.report(
            update, fix=self._fix(update, holder, kind), update=self.snippet(update), race=race
        )

    def _shared_object(
        self, target: cst.BaseExpression
    ) -> Optional[tuple[cst.BaseExpression, Kind]]:
        """The shared object whose state ``target`` names, with its kind."""
        if isinstance(target, cst.Attribute):
            kind = self.model.kind_of(target.value)
            if kind is None or kind.uses_threads:
                return None
            if kind.name in (KindName.VALUE, KindName.RAW_VALUE) and target.attr.value == "value":
                return target.value, kind
            if kind.proxy and kind.name is KindName.NAMESPACE:
                return target.value, kind
            return None
        if isinstance(target, cst.Subscript):
            kind = self.model.kind_of(target.value)
            if kind is None or kind.uses_threads:
                return None
            if kind.name in (KindName.ARRAY, KindName.RAW_ARRAY):
                return target.value, kind
            if kind.proxy and kind.name in (KindName.DICT, KindName.LIST):
                return target.value, kind
        return None

    def _concurrent(self, function: FunctionNode) -> bool:
        return self.model.workers.runs_concurrently(function)

    # --- the parent and a child at the same time ------------------------------------------------------
    def _race_with_parent(
        self, update: Update, target: cst.BaseExpression, kind: Kind
    ) -> Optional[str]:
        """How ``update`` races: the parent makes it while a child that writes the same object (and
        slot) runs, or a child makes it while the parent writes them; None when neither can be told."""
        if kind.creator is None:
            return None
        slot = _slot(target)
        writes = [
            w
            for w in self._writes
            # two literal slots meet when equal; two computed ones may meet when both are updates
            # (``d[word] += 1`` on both sides), not when one is a plain store (``d[name] = result``:
            # each writer has its own keys); a literal and a computed one are not taken to
            if w.creator is kind.creator
            and w.node is not update
            and w.slot == slot
            and (slot is not None or w.update)
        ]
        if not writes:
            return None
        model = self.model
        running = self._running
        places = running.parent_places(update)
        if places:
            threads = running.parent_thread_spans(places)
            for write in writes:
                function = model.enclosing_function_node(write.node)
                if function is None:
                    continue
                for submission in model.workers.worker_submissions(function):
                    if running.runs_during(places, threads, submission):
                        return _PARENT
            return None
        function = model.enclosing_function_node(update)
        submissions = model.workers.worker_submissions(function) if function is not None else []
        for write in writes if submissions else []:
            places = running.parent_places(write.node)
            if not places:
                continue
            threads = running.parent_thread_spans(places)
            if any(running.runs_during(places, threads, s) for s in submissions):
                return _CHILD
        return None

    @functools.cached_property
    def _running(self) -> RunningChildren:
        return RunningChildren(self.model)

    @functools.cached_property
    def _writes(self) -> list[Write]:
        """Every store to a shared object made by a single known call (``v.value = …``, ``d[k] += …``,
        ``ns.x = …``), in source order."""
        model = self.model
        targets: list[tuple[Update, cst.BaseExpression]] = [
            (node, node.target) for node in model.tree.nodes_of(cst.AugAssign)
        ]
        for assign in model.tree.nodes_of(cst.Assign):
            targets.extend((assign, t.target) for t in assign.targets)
        writes: list[Write] = []
        for node, target in targets:
            if not isinstance(target, (cst.Attribute, cst.Subscript)):
                continue
            shared = self._shared_object(target)
            if shared is None or shared[1].creator is None:
                continue
            update = isinstance(node, cst.AugAssign) or (
                len(node.targets) == 1 and self._reads_holder(node, target)
            )
            writes.append(Write(node, shared[1].creator, _slot(target), update))
        writes.sort(key=lambda w: model.tree.order[w.node])
        return writes

    # --- the fix ----------------------------------------------------------------------------------------
    def _fix(self, update: Update, holder: cst.BaseExpression, kind: Kind) -> Optional[FixSpec]:
        model = self.model
        if kind.proxy or kind.name not in (KindName.VALUE, KindName.ARRAY):
            return None
        if not isinstance(holder, (cst.Name, cst.Attribute)) or model.binding_key(holder) is None:
            return None
        origins = model.values.origins(holder)
        if not origins or not all(self._default_lock(origin) for origin in origins):
            return None
        line = lone_statement_line(model, update)
        if line is None:
            return None
        unit = model.module.default_indent
        body = self.code_for(update)
        comment = line.trailing_whitespace.comment
        if comment is not None:
            body += "  " + comment.value
        text = f"with {self.code_for(holder)}.get_lock():\n{unit}{body}"
        return self.fix(Applicability.SAFE, ReplaceLines(line, line, text))

    def _default_lock(self, origin: cst.BaseExpression) -> bool:
        """``Value(...)``/``Array(...)`` with ``lock`` left out or ``lock=True``: an RLock of its own."""
        if not isinstance(origin, cst.Call):
            return False
        kind = self.model.kind_of(origin)
        if kind is None or kind.creator is not origin or kind.proxy:
            return False
        if kind.name not in (KindName.VALUE, KindName.ARRAY):
            return False
        lock = keyword_arg(origin, "lock")
        if any(a.star for a in origin.args):
            return False
        return lock is None or (isinstance(lock.value, cst.Name) and lock.value.value == "True")
