from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, Replace
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import ExecContext, FunctionNode, VarKey, call_argument
from mplint.rule import Invalid, LintRule, Valid

# Calls that stop the threads of an object, by its kind.
_STOPPERS_THREAD = ("join",)
_STOPPERS_POOL = ("join", "terminate")
_STOPPERS_EXECUTOR = ("shutdown",)


class ForkWithThreads(LintRule):
    """
    ## What it does
    Checks for child processes created with the fork start method after this process started threads
    that may still run: a `threading.Thread` started and not joined, a `ThreadPool` or a process `Pool`
    still open (a `Pool` runs three handler threads), an executor that has been given work and not
    shut down — before the fork in the same function, at import time, or in a function of this module
    called before it.

    Fork is recognised from an explicit `get_context("fork")` (also as an executor's `mp_context`), a
    literal `set_start_method("fork")` in the module, or `start-method = "fork"` in the configuration.
    Under the default `start-method = "portable"` code that does not ask for fork is not reported.

    This rule is in **preview**: whether a thread still runs (and holds a lock) at the moment of the fork
    is decided from statement order within a module, which real code often defeats (threads stopped by
    another object, by events or by `atexit` hooks).

    ## Why is this bad?
    `os.fork()` copies only the calling thread. A lock held by another thread at that moment — the
    `logging` module's handler lock, an import lock, a queue's mutex, a C library's allocator lock — stays
    locked forever in the child, and the child **hangs** the first time it takes that lock. Python 3.12+
    warns from `multiprocessing/popen_fork.py`: `DeprecationWarning: This process (pid=N) is
    multi-threaded, use of fork() may lead to deadlocks in the child.` (hidden by the default warning
    filters). Python 3.14 moved Linux to forkserver for this reason.

    ## Example
    ```python
    threading.Thread(target=poll_metrics, daemon=True).start()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(4) as pool:
        pool.map(work, items)
    ```

    Use instead:
    ```python
    ctx = multiprocessing.get_context("forkserver")  # or "spawn"
    with ctx.Pool(4) as pool:
        pool.map(work, items)
    ```
    or create the processes before starting any thread.

    ## Fix safety
    When the fork comes from a literal `get_context("fork")` in the same function, the fix asks for
    `"forkserver"` instead (a context shared by other code is left alone).
    It is unsafe: children then re-import the main module and receive their target and arguments
    pickled (see MPL201, MPL203, MPL204, MPL205, MPL208).

    ## References
    - [Contexts and start methods](https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods):
      "safely forking a multithreaded process is problematic."
    - [`os.fork`](https://docs.python.org/3/library/os.html#os.fork) and
      [gh-100228](https://github.com/python/cpython/issues/100228)
    """

    CODE = "MPL207"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "fork-with-threads"
    MESSAGE = "`{call}` forks while `{thread}` ({what}) may still run; the child can deadlock"
    FIX_TITLE = 'Use `get_context("forkserver")`'
    SEVERITY = Severity.WARNING
    PREVIEW = True
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            import multiprocessing as mp, threading
            def work(): pass
            def main():
                t = threading.Thread(target=work)
                t.start()
                t.join()
                mp.get_context('fork').Process(target=work).start()
            """
        ),
        Valid(
            """
            import multiprocessing as mp, threading
            def work(): pass
            def main():
                threading.Thread(target=work).start()
                mp.get_context('spawn').Process(target=work).start()
            """
        ),
        Valid(
            """
            import multiprocessing as mp, threading
            def work(): pass
            def main():
                ctx = mp.get_context('fork')
                p = ctx.Process(target=work)
                p.start()
                threading.Thread(target=work).start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp, threading
            def work(): pass
            def main():
                threading.Thread(target=work, daemon=True).start()
                ctx = mp.get_context('fork')
                ctx.Process(target=work).start()
            """,
            fixed="""
            import multiprocessing as mp, threading
            def work(): pass
            def main():
                threading.Thread(target=work, daemon=True).start()
                ctx = mp.get_context('forkserver')
                ctx.Process(target=work).start()
            """,
            unsafe=True,
        ),
    ]

    def check(self) -> None:
        model = self.model
        reported: set[object] = set()
        for call in model.tree.calls:
            found = model.workers.process_work(call)
            if found is None:
                continue
            kind = found[1]
            if kind.uses_threads or model.start_method(kind) != "fork":
                continue
            if kind.name is KindName.EXECUTOR:
                key = (
                    model.binding_key(call.func.value)
                    if isinstance(call.func, cst.Attribute)
                    else None
                )
                if key is not None:
                    if key in reported:
                        continue  # an executor forks its workers once, at the first task
                    reported.add(key)
            thread = self._running_thread(call)
            if thread is None:
                continue
            thread_call, what = thread
            self.report(
                call,
                fix=self._fix(call, kind),
                call=self.snippet(call),
                thread=self.snippet(thread_call),
                what=what,
            )

    # --- is a thread running here? ----------------------------------------------------------------------
    def _running_thread(self, fork: cst.Call) -> Optional[tuple[cst.Call, str]]:
        model = self.model
        for call in model.tree.calls:
            if call is fork or model.contains(call, fork) or model.contains(fork, call):
                continue
            if self._ran_before(call, fork):
                started = model.workers.thread_work(call)
                if started is not None and not self._stopped(call, started[1], fork):
                    return call, started[0]
                if not model.dominates(call, fork):
                    continue
                function = model.names.resolve_function(call.func)
                if function is None or model.contains(function, fork):
                    continue
                chain = model.callgraph.call_chain(function, self._starts_threads)
                if chain is not None:
                    return call, f"its call chain {_names(chain)} starts threads"
        return None

    def _starts_threads(self, function: FunctionNode) -> bool:
        model = self.model
        for call in model.callgraph.function_calls(function):
            started = model.workers.thread_work(call)
            if started is not None and not self._stopped_in_function(call, started[1]):
                return True
        return False

    def _ran_before(self, earlier: cst.Call, later: cst.Call) -> bool:
        model = self.model
        if model.dominates(earlier, later):
            return True
        return (
            model.exec_context(earlier) is ExecContext.IMPORT
            and model.flow.runs_whenever_scope_runs(earlier)
            and model.enclosing_function_node(later) is not None
        )

    def _stopped(self, start: cst.Call, kind: Kind, fork: cst.Call) -> bool:
        """The threads started by ``start`` have certainly been stopped before ``fork``."""
        model = self.model
        key = self._owner_key(start, kind)
        if key is not None:
            for stop in model.calls_on(key, self._stoppers(kind)):
                if model.precedes(start, stop) and model.dominates(stop, fork):
                    return True
        for with_node in self._owning_withs(start, key):
            if not model.contains(with_node, fork) and model.dominates(with_node, fork):
                return True
        return False

    def _stopped_in_function(self, start: cst.Call, kind: Kind) -> bool:
        """A helper that starts threads and stops them (or leaves their ``with``) before returning."""
        model = self.model
        key = self._owner_key(start, kind)
        if key is not None and any(
            model.precedes(start, stop) for stop in model.calls_on(key, self._stoppers(kind))
        ):
            return True
        return bool(self._owning_withs(start, key))

    def _owning_withs(self, start: cst.Call, key: Optional[VarKey]) -> list[cst.With]:
        """``with`` statements that manage the object ``start`` set running (and stop it on exit)."""
        model = self.model
        out: list[cst.With] = []
        for item in model.tree.with_items:
            with_node = model.parent(item)
            if not isinstance(with_node, cst.With) or not model.contains(with_node, start):
                continue
            if item.item is start or (key is not None and model.binding_key(item.item) == key):
                out.append(with_node)
            elif key is not None and item.asname is not None:
                target = item.asname.name
                if (
                    isinstance(target, (cst.Name, cst.Attribute))
                    and model.binding_key(target) == key
                ):
                    out.append(with_node)
        return out

    def _owner_key(self, start: cst.Call, kind: Kind) -> Optional[VarKey]:
        owner = self._owner_expression(start, kind)
        return self.model.binding_key(owner) if owner is not None else None

    def _owner_expression(self, start: cst.Call, kind: Kind) -> Optional[cst.BaseExpression]:
        """The variable holding the thread, pool or executor that ``start`` set running."""
        model = self.model
        if isinstance(start.func, cst.Attribute) and kind.creator is not start:
            return start.func.value
        statement = model.small_statement_of(start)
        if isinstance(statement, cst.Assign) and statement.value is start:
            targets = statement.targets
            if len(targets) == 1 and isinstance(targets[0].target, (cst.Name, cst.Attribute)):
                return targets[0].target
        return None

    @staticmethod
    def _stoppers(kind: Kind) -> tuple[str, ...]:
        if kind.is_thread:
            return _STOPPERS_THREAD
        if kind.is_executor:
            return _STOPPERS_EXECUTOR
        return _STOPPERS_POOL

    # --- the fix: forkserver ------------------------------------------------------------------------------
    def _fix(self, call: cst.Call, kind: Kind) -> Optional[FixSpec]:
        model = self.model
        context = self._context_of(call, kind)
        if context is None:
            return None
        context_kind = model.kind_of(context)
        creator = context_kind.creator if context_kind is not None else None
        if creator is None or context_kind is None or context_kind.name is not KindName.CONTEXT:
            return None
        if model.enclosing_function_node(creator) is not model.enclosing_function_node(call):
            return None  # a context shared with other code: changing it is a wider decision
        method = call_argument(creator, 0, "method")
        if not isinstance(method, cst.SimpleString) or method.evaluated_value != "fork":
            return None
        quote = method.quote
        return self.fix(
            Applicability.UNSAFE, Replace(method, f"{method.prefix}{quote}forkserver{quote}")
        )

    def _context_of(self, call: cst.Call, kind: Kind) -> Optional[cst.BaseExpression]:
        """The context expression that made the process, pool or executor."""
        creator = kind.creator if kind.creator is not None else call
        if kind.name is KindName.EXECUTOR:
            return call_argument(creator, 1, "mp_context")
        if isinstance(creator.func, cst.Attribute):
            return creator.func.value
        return None


def _names(chain: list[FunctionNode]) -> str:
    return " -> ".join(
        f"{f.name.value}()" if isinstance(f, cst.FunctionDef) else "<lambda>" for f in chain
    )
