from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Severity
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import FunctionNode, SelfAttr, VarKey, Via, call_argument
from mplint.rule import Invalid, LintRule, Valid


class UnreliableQueueIntrospection(LintRule):
    """
    ## What it does
    Checks for `qsize()` on a `multiprocessing` queue, and for `empty()`/`full()` used as the test of an
    `if`/`while` whose branch then calls `get()`/`put()` on the same queue (check-then-act).

    ## Why is this bad?
    - `Queue.qsize()` raises `NotImplementedError` on macOS, where `sem_getvalue()` is not implemented
      (`multiprocessing/queues.py` `Queue.qsize`); elsewhere the number is approximate.
    - `put()` hands the item to a feeder thread that writes it to the pipe later, and
      `Queue.empty()` only polls the pipe: right after `q.put(x)`, `q.empty()` can be `True` (and
      `get_nowait()` raise `queue.Empty`) although an item is on its way. A
      `while not q.empty(): q.get()` drain can therefore stop early and **silently** lose items that
      producers still running (or this process itself) put; with several consumers, another process
      can take the last item between `empty()` and `get()`, which then blocks. `full()` has the same
      race with other producers.

    The check-then-act is reported where the module shows that others use the queue meanwhile: in a
    worker (other workers and the parent run alongside), after the same function started processes,
    or after it put items into that queue itself (they may still sit in its feeder thread); in a helper
    every caller of which started processes before calling it; and on a queue kept in an attribute
    (`self.jobs`) that the module gives to a process or a pool task — unless some caller calls that
    function in a loop (it polls again). A helper that only drains, called from elsewhere, is not
    reported.

    Not reported: Manager queues (`Manager().Queue()`: `qsize()` works on every platform and there is
    no feeder thread), `queue.Queue` and `multiprocessing.SimpleQueue`, `qsize()` inside a `try` that
    handles `NotImplementedError`, an `empty()` drain after the producers have been joined (a joined
    producer has flushed its feeder thread, so the answer is then reliable), a test where another
    condition keeps the loop going (`while not q.empty() or pending:`), and a check-then-act inside
    an enclosing polling loop (`while True: while not q.empty(): handle(q.get()); sleep(...)`) run by
    the queue's only consumer (for `full()`: its only producer), one process or thread at a time: an
    item still in the feeder thread is picked up on the next pass, and nobody else can take it
    between `empty()` and `get()`.

    ## Example
    ```python
    for p in producers:
        p.start()
    while not results.empty():
        handle(results.get())
    ```

    Use instead:
    ```python
    for p in producers:
        p.start()
    for _ in producers:                 # each producer puts None when it is done
        for item in iter(results.get, None):
            handle(item)
    for p in producers:
        p.join()
    ```

    ## Fix safety
    There is no automatic fix: use sentinels, `get(timeout=...)` with `except queue.Empty`, or join the
    producers before draining.

    ## References
    - [`multiprocessing.Queue.qsize`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Queue.qsize):
      "this number is not reliable ... may raise NotImplementedError on platforms like macOS".
    - [`multiprocessing.Queue.empty`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Queue.empty):
      "Because of multithreading/multiprocessing semantics, this is not reliable."
    """

    CODE = "MPL503"
    GATE = Gate.of(needs(PROCESSES, "qsize|empty|full"))
    NAME = "unreliable-queue-introspection"
    MESSAGE = "`{call}` {problem}"
    SEVERITY = Severity.WARNING

    VALID = [
        Valid(
            """
            import multiprocessing as mp
            m = mp.Manager()
            q = m.Queue()
            print(q.qsize())
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            def work(q): q.put(1)
            def main():
                q = mp.Queue()
                procs = [mp.Process(target=work, args=(q,)) for _ in range(2)]
                for p in procs: p.start()
                for p in procs: p.join()
                while not q.empty():
                    print(q.get())
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp
            q = mp.Queue()
            print(q.qsize())
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            def work(q): q.put(1)
            def main():
                q = mp.Queue()
                p = mp.Process(target=work, args=(q,))
                p.start()
                while not q.empty():
                    print(q.get())
                p.join()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for call in model.tree.method_calls.get("qsize", []):
            if self._receiver(call) is None:
                continue
            if model.exceptions.caught_around(call, "builtins.NotImplementedError") is not False:
                continue
            self.report(
                call,
                call=self.code_for(call),
                problem="raises NotImplementedError on macOS, and is only approximate elsewhere",
            )
        for method, acts in (
            ("empty", api_table.QUEUE_GET_METHODS),
            ("full", api_table.QUEUE_PUT_METHODS),
        ):
            for call in model.tree.method_calls.get(method, []):
                if self._receiver(call) is not None:
                    self._check_then_act(call, method, acts)

    def _receiver(self, call: cst.Call) -> Optional[Kind]:
        """The kind of a multiprocessing Queue/JoinableQueue receiver (no proxy, no threads)."""
        func = call.func
        if not isinstance(func, cst.Attribute) or call.args:
            return None
        kind = self.model.kind_of(func.value)
        if (
            kind is None
            or kind.proxy
            or kind.uses_threads
            or kind.name not in (KindName.QUEUE, KindName.JOINABLE_QUEUE)
        ):
            return None
        return kind

    def _check_then_act(self, call: cst.Call, method: str, acts: frozenset[str]) -> None:
        model = self.model
        func = call.func
        assert isinstance(func, cst.Attribute)
        key = model.binding_key(func.value)
        if key is None:
            return
        statement = self._test_owner(call)
        if statement is None or self._one_of_alternatives(call, statement):
            return
        branches: list[cst.CSTNode] = [statement.body]
        if isinstance(statement, cst.If) and statement.orelse is not None:
            branches.append(statement.orelse)
        acting = [
            c
            for c in model.calls_on(key, acts)
            if any(model.contains(branch, c) for branch in branches)
        ]
        if not acting:
            return
        if not self._concurrent(statement, key):
            return
        if self._polled_by_only_user(func.value, statement, key, acts):
            return
        if method == "empty" and self._producers_joined(statement):
            return
        name = self.code_for(func.value)
        verb = acting[0].func.attr.value if isinstance(acting[0].func, cst.Attribute) else method
        polling = any(isinstance(loop, cst.While) for loop in model.flow.enclosing_loops(statement))
        if method == "full":
            problem = f"is stale by the time `{name}.{verb}()` runs: another producer can fill it"
        elif polling:  # a late item waits for the next pass; the hazard is the other readers
            problem = (
                f"is stale by the time `{name}.{verb}()` runs: another reader can take the item "
                f"first, and `{name}.{verb}()` then {_empty_outcome(acting[0])}"
            )
        elif isinstance(statement, cst.While):
            problem = (
                "can be True while items are still in flight (feeder thread, running producers): "
                "this loop may stop before the queue is drained"
            )
        else:
            problem = (
                f"is stale by the time `{name}.{verb}()` runs: an item may still be in flight, or "
                "another process may take it"
            )
        self.report(call, call=self.code_for(call), problem=problem)

    def _test_owner(self, call: cst.Call) -> Optional[Union[cst.If, cst.While]]:
        """The ``if``/``while`` whose test holds ``call``."""
        model = self.model
        child: cst.CSTNode = call
        for ancestor in model.ancestors(call):
            if isinstance(ancestor, (cst.If, cst.While)):
                return ancestor if child is ancestor.test else None
            if isinstance(ancestor, (cst.BaseSuite, cst.BaseStatement, cst.FunctionDef)):
                return None
            child = ancestor
        return None

    def _concurrent(self, statement: cst.CSTNode, key: VarKey) -> bool:
        """Others may use the queue while ``statement`` runs, as far as this module shows: it runs in
        a worker (other consumers, the parent), its function started processes before it, or its
        function put items into the queue itself (they may still be in the feeder thread)."""
        model = self.model
        function = model.enclosing_function_node(statement)
        if function is not None and function in model.workers.worker_functions(
            processes_only=False
        ):
            return True
        calls = (
            model.callgraph.function_calls(function)
            if function is not None
            else [c for c in model.tree.calls if model.enclosing_function_node(c) is None]
        )
        for call in calls:
            if not model.precedes(call, statement):
                continue
            if model.workers.process_work(call) is not None:
                return True
        puts = model.calls_on(key, api_table.QUEUE_PUT_METHODS)
        if any(
            model.precedes(put, statement) and model.enclosing_function_node(put) is function
            for put in puts
        ):
            return True
        if self._repolled(function):
            return False  # a drain its callers repeat until they have every item they expect
        return self._handed_to_a_child(key) or self._callers_started_processes(function)

    def _repolled(self, function: Optional[FunctionNode]) -> bool:
        """Some call of the function runs in a loop of its caller: a stale answer only moves the item
        to the next call (``while pending: drain()``)."""
        model = self.model
        if not isinstance(function, cst.FunctionDef):
            return False
        calls = [*model.callgraph.calls_to(function), *model.valueflow.method_calls_to(function)]
        return any(model.flow.in_loop(call) for call in calls)

    def _handed_to_a_child(self, key: VarKey) -> bool:
        """The queue kept in an attribute (``self.jobs``) is given to a process or a pool task
        somewhere in the module: the children use it whenever any method runs."""
        model = self.model
        if not isinstance(key, SelfAttr):
            return False
        return any(
            model.binding_key(argument) == key
            for submission in model.submissions()
            if submission.via is not Via.CALLBACK
            for argument in model.inference.handed_arguments(submission)
        )

    def _callers_started_processes(self, function: Optional[FunctionNode]) -> bool:
        """A helper that every caller of which started a process before calling it (one level)."""
        model = self.model
        if not isinstance(function, cst.FunctionDef):
            return False
        callers = model.callgraph.calls_to(function)
        if not callers:
            return False
        for site in callers:
            caller = model.enclosing_function_node(site)
            if caller is None or not any(
                model.precedes(call, site) and model.workers.process_work(call) is not None
                for call in model.callgraph.function_calls(caller)
            ):
                return False
        return True

    def _polled_by_only_user(
        self,
        queue: cst.BaseExpression,
        statement: Union[cst.If, cst.While],
        key: VarKey,
        acts: frozenset[str],
    ) -> bool:
        """The check sits in an enclosing ``while`` loop that polls (a stale answer only moves the item
        to the next pass), in the queue's only reader (``empty()``) or writer (``full()``) that the
        module shows, run by one process or thread at a time: nobody else can take the item (or the
        free slot) between the check and the act, so the act never blocks."""
        model = self.model
        if not any(isinstance(loop, cst.While) for loop in model.flow.enclosing_loops(statement)):
            return False
        function = model.enclosing_function_node(statement)
        kind = model.kind_of(queue)
        creator = kind.creator if kind is not None else None
        users = (
            model.values.object_calls(creator, acts)
            if creator is not None
            else model.calls_on(key, acts)
        )
        if any(model.enclosing_function_node(user) is not function for user in users):
            return False
        if function is None:
            return True
        if model.workers.runs_concurrently(function):
            return False
        threads = [s for s in model.inference.submissions_to(function) if s.owner.uses_threads]
        return len(threads) <= 1 and not any(
            s.via is not Via.THREAD or model.callgraph.repeats(s.call) for s in threads
        )

    def _one_of_alternatives(self, call: cst.Call, statement: Union[cst.If, cst.While]) -> bool:
        """``while not q.empty() or pending:``: another condition keeps the loop going (a count of
        items still expected), so a stale answer does not end it."""
        for ancestor in self.model.ancestors(call):
            if ancestor is statement:
                return False
            if isinstance(ancestor, cst.BooleanOperation) and isinstance(ancestor.operator, cst.Or):
                return True
        return False

    def _producers_joined(self, statement: cst.CSTNode) -> bool:
        """A process, pool or executor was joined (or shut down) before ``statement`` ran."""
        model = self.model
        earlier = model.flow.earlier_statements(statement)
        if not earlier:
            return False
        for method in ("join", "shutdown"):
            for join in model.tree.method_calls.get(method, []):
                if not any(model.contains(s, join) for s in earlier):
                    continue
                func = join.func
                assert isinstance(func, cst.Attribute)
                kind = model.kind_of(func.value)
                if kind is None:
                    if (
                        method == "join"
                        and not join.args
                        and not isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString))
                    ):
                        return True  # something joinable this module cannot identify
                    continue
                if kind.is_process or kind.is_pool or kind.is_executor:
                    return True
        for item in model.tree.with_items:
            kind = model.kind_of(item.item)
            if (
                kind is not None
                and (kind.is_pool or kind.is_executor)
                and any(model.contains(s, item) for s in earlier)
            ):
                return True
        return False


def _empty_outcome(get: cst.Call) -> str:
    """What ``q.get(...)`` does on an empty queue (``multiprocessing/queues.py`` ``Queue.get``)."""
    func = get.func
    if isinstance(func, cst.Attribute) and func.attr.value == "get_nowait":
        return "raises queue.Empty"
    block = call_argument(get, 0, "block")
    if isinstance(block, cst.Name) and block.value == "False":
        return "raises queue.Empty"
    if call_argument(get, 1, "timeout") is not None:
        return "waits for its timeout and raises queue.Empty"
    return "blocks"
