"""When the parent's code runs while its child processes run (MPL402's judgement of timing).

A child started by ``p.start()`` runs from that call to the first wait for it in the same function
(``p.join()``, ``p.terminate()``, a call that may wait for it or hear from it, such as a helper
that joins, ``event.wait()`` or ``queue.get()``), or to the end of that function, and then on in
the callers of that function after their call of it. A pool's or an
executor's task submitted without waiting (``apply_async``, ``imap``, ``submit`` …) runs from the
submission to the first wait (``get()``, ``result()``, ``join()`` …), the end of the loop that consumes
it, or the end of the ``with`` block that holds the pool. A parent statement runs at its own place, at
the places of the calls of its function (two levels up) and, when a thread of the parent runs it,
during that thread's span (its ``start()`` to its ``join()``). Everything here stays within one
module; where the wait for a child cannot be told, the span ends early (silence, not a guess).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Optional

import libcst as cst

from mplint.kinds import Kind, KindName
from mplint.model import FunctionNode, Model, Submission, Via

Scope = Optional[FunctionNode]
Place = tuple[Scope, int]

#: Methods that may wait for a child, its task or its pool (or end it), or for a child's message.
_WAITS = frozenset(
    {"join", "terminate", "kill", "shutdown", "wait", "get", "result", "recv", "recv_bytes"}
)
#: Shared data objects: their ``get`` reads, it does not wait.
_DATA = frozenset(
    {
        KindName.VALUE,
        KindName.ARRAY,
        KindName.RAW_VALUE,
        KindName.RAW_ARRAY,
        KindName.DICT,
        KindName.LIST,
        KindName.NAMESPACE,
        KindName.MAPPING,
        KindName.SEQUENCE,
        KindName.TUPLE,
    }
)
#: Functions that wait for futures or process sentinels.
_WAITING_FUNCTIONS = frozenset(
    {
        "concurrent.futures.wait",
        "concurrent.futures.as_completed",
        "multiprocessing.connection.wait",
    }
)
#: Builtins that consume an iterator of results at once: ``list(pool.imap(f, xs))`` waits.
_CONSUMERS = frozenset(
    f"builtins.{name}" for name in ("list", "tuple", "set", "sorted", "sum", "dict", "min", "max")
)
_POOL_TASKS = frozenset({"apply_async", "map_async", "starmap_async", "imap", "imap_unordered"})
_EXECUTOR_TASKS = frozenset({"submit", "map"})
_DEPTH = 2


@dataclass(frozen=True)
class Span:
    """Code of ``scope`` between two pre-order positions (``start`` included, ``end`` not)."""

    scope: Scope
    start: int
    end: int

    def holds(self, place: Place) -> bool:
        return place[0] is self.scope and self.start <= place[1] < self.end

    def overlaps(self, other: Span) -> bool:
        return other.scope is self.scope and self.start < other.end and other.start < self.end


class RunningChildren:
    """The spans during which children run, and the places where the parent runs a statement."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._child_spans: dict[Submission, list[Span]] = {}
        self._helpers: dict[FunctionNode, bool] = {}
        self._sources: dict[cst.Call, list[cst.BaseExpression]] = {}
        self._module_calls: Optional[list[cst.Call]] = None

    # --- the parent ---------------------------------------------------------------------------------------
    def parent_places(self, node: cst.CSTNode) -> list[Place]:
        """Where the parent runs ``node``: its own place (if its function is not child code), and the
        places of the calls that run it, up to two levels."""
        model = self.model
        children = model.workers.child_functions
        function = model.enclosing_function_node(node)
        if function is not None and function in children:
            return []
        places: list[Place] = [(function, model.tree.order[node])]
        frontier: list[FunctionNode] = [function] if function is not None else []
        seen = set(frontier)
        for _ in range(_DEPTH):
            following: list[FunctionNode] = []
            for callee in frontier:
                for call in model.callgraph.calls_to(callee):
                    caller = model.enclosing_function_node(call)
                    if caller is not None and caller in children:
                        continue
                    places.append((caller, model.tree.order[call]))
                    if caller is not None and caller not in seen:
                        seen.add(caller)
                        following.append(caller)
            frontier = following
        return places

    def parent_thread_spans(self, places: list[Place]) -> list[Span]:
        """The spans of the parent's threads whose target runs one of ``places``' functions."""
        functions = {scope for scope, _ in places if scope is not None}
        spans: list[Span] = []
        for root, submissions in self.model.workers.worker_roots().items():
            if not functions & self.model.callgraph.reachable_from(root):
                continue
            for submission in submissions:
                if submission.owner.is_thread and submission.via in (Via.THREAD, Via.RUN):
                    spans.extend(self._object_spans(submission.owner, lift=False))
        return spans

    def runs_during(self, places: list[Place], threads: list[Span], submission: Submission) -> bool:
        """The parent runs one of ``places`` (or one of its ``threads`` runs) while the child of
        ``submission`` may run."""
        for span in self.child_spans(submission):
            if any(span.holds(place) for place in places):
                return True
            if any(span.overlaps(thread) for thread in threads):
                return True
        return False

    # --- the children --------------------------------------------------------------------------------------
    def child_spans(self, submission: Submission) -> list[Span]:
        spans = self._child_spans.get(submission)
        if spans is None:
            spans = self._child_spans[submission] = self._spans_of(submission)
        return spans

    def _spans_of(self, submission: Submission) -> list[Span]:
        owner = submission.owner
        if owner.uses_threads:
            return []
        if submission.via in (Via.PROCESS, Via.RUN):
            return self._object_spans(owner, lift=True)
        model = self.model
        call = submission.call
        scope = model.enclosing_function_node(call)
        if submission.via is Via.INITIALIZER:
            return [self._task_span(scope, call, owner)]
        func = call.func
        method = func.attr.value if isinstance(func, cst.Attribute) else ""
        tasks = _EXECUTOR_TASKS if submission.via is Via.EXECUTOR else _POOL_TASKS
        if submission.via not in (Via.POOL, Via.EXECUTOR) or method not in tasks:
            # a blocking call: its children run only while it runs
            return [Span(scope, model.tree.order[call], model.tree.end[call])]
        parent = model.parent(call)
        if isinstance(parent, cst.For) and parent.iter is call:
            return [Span(scope, model.tree.end[call], model.tree.end[parent])]
        if isinstance(parent, cst.Arg):
            consumer = model.parent(parent)
            if isinstance(consumer, cst.Call) and model.qualname(consumer.func) in _CONSUMERS:
                return [Span(scope, model.tree.order[call], model.tree.end[consumer])]
        return [self._task_span(scope, call, owner)]

    def _task_span(self, scope: Scope, call: cst.Call, owner: Kind) -> Span:
        """From the submission to the first wait, or to the end of the ``with`` holding the pool."""
        model = self.model
        start = model.tree.end[call]
        end = min(self._first_wait(scope, start, owner), self._consumed(scope, call))
        if owner.creator is not None:
            for item in model.tree.with_items:
                kind = model.kind_of(item.item)
                holder = model.parent(item)
                if (
                    kind is not None
                    and kind.creator is owner.creator
                    and isinstance(holder, cst.With)
                    and model.contains(holder, call)
                ):
                    end = min(end, model.tree.end[holder])
        return Span(scope, start, end)

    def _consumed(self, scope: Scope, call: cst.Call) -> int:
        """Where the results of ``call`` kept in a variable (``it = pool.imap(...)``) are all read: the
        end of a later loop over the variable, or of ``list(it)`` and the like; else the end of
        ``scope``."""
        model = self.model
        end = self._scope_end(scope)
        target = model.tree.assigned_name(call)
        if target is None:
            return end
        key = model.binding_key(target)
        for use in model.tree.name_uses(target.value):
            if use is target or model.binding_key(use) != key or not model.precedes(call, use):
                continue
            parent = model.parent(use)
            if isinstance(parent, cst.For) and parent.iter is use:
                end = min(end, model.tree.end[parent])
            elif isinstance(parent, cst.Arg):
                consumer = model.parent(parent)
                if isinstance(consumer, cst.Call) and model.qualname(consumer.func) in _CONSUMERS:
                    end = min(end, model.tree.end[consumer])
        return end

    def _object_spans(self, owner: Kind, *, lift: bool) -> list[Span]:
        """From each ``start()`` of the Process (or Thread) ``owner`` to the first wait for it; when none
        follows in that function, on in its callers after their call (``lift``)."""
        model = self.model
        creator = owner.creator
        if creator is None:
            return []
        spans: list[Span] = []
        for start in self._calls_on(creator, "start"):
            scope = model.enclosing_function_node(start)
            begin = model.tree.end[start]
            end = self._first_wait(scope, begin, owner)
            spans.append(Span(scope, begin, end))
            if lift and scope is not None and end == self._scope_end(scope):
                for call in model.callgraph.calls_to(scope):
                    caller = model.enclosing_function_node(call)
                    after = model.tree.end[call]
                    spans.append(Span(caller, after, self._first_wait(caller, after, owner)))
        return spans

    def _calls_on(self, creator: cst.Call, method: str) -> list[cst.Call]:
        """``X.method()`` on the object ``creator`` made: where ``X``'s kind says so, or where the value
        flow reaches ``creator`` among the sources of ``X`` (``for w in [Thread(...), Process(...)]``)."""
        model = self.model
        found = list(model.values.object_calls(creator, (method,)))
        for call in model.tree.method_calls.get(method, []):
            if call in found or not isinstance(call.func, cst.Attribute):
                continue
            sources = self._sources.get(call)
            if sources is None:
                sources = self._sources[call] = model.valueflow.sources(call.func.value) or []
            if any(source is creator for source in sources):
                found.append(call)
        found.sort(key=model.tree.order.__getitem__)
        return found

    def _first_wait(self, scope: Scope, after: int, owner: Kind) -> int:
        """The position of the first call of ``scope`` after ``after`` that may wait for (or end) the
        children of ``owner``; the end of ``scope`` when there is none."""
        model = self.model
        end = self._scope_end(scope)
        for call in self._scope_calls(scope):
            position = model.tree.order[call]
            if position < after or position >= end:
                continue
            if self._waits(call, owner):
                return position
        return end

    def _waits(self, call: cst.Call, owner: Kind) -> bool:
        model = self.model
        func = call.func
        if owner.is_thread:
            return owner.creator is not None and call in self._calls_on(owner.creator, "join")
        if self._waiting_call(call):
            return True
        helper = model.names.resolve_function(func)
        return helper is not None and self._helper_waits(helper)

    def _waiting_call(self, call: cst.Call) -> bool:
        """``call`` may wait for (or end) child processes or their tasks, or hear from a child: a
        waiting method (``join``, ``get``, ``wait``, ``recv`` …) of anything but a shared data object
        (whose ``get`` is a read) and a string or a module (``", ".join``, ``os.path.join``), and
        ``concurrent.futures.wait`` and the like. After an ``Event``, a queue or a pipe the child may
        be done with the object: the span ends there (silence rather than a guess)."""
        model = self.model
        func = call.func
        if model.qualname(func) in _WAITING_FUNCTIONS:
            return True
        if not (isinstance(func, cst.Attribute) and func.attr.value in _WAITS):
            return False
        receiver = model.kind_of(func.value)
        if receiver is None:
            literal = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
            return not isinstance(func.value, literal) and model.qualname(func) is None
        return receiver.name not in _DATA

    def _helper_waits(self, helper: FunctionNode) -> bool:
        """A function of this module that (through its calls) joins or waits for children."""
        known = self._helpers.get(helper)
        if known is None:
            callgraph = self.model.callgraph
            known = any(
                self._waiting_call(call)
                for function in callgraph.reachable_from(helper)
                for call in callgraph.function_calls(function)
            )
            self._helpers[helper] = known
        return known

    def _scope_end(self, scope: Scope) -> int:
        if scope is None:
            return sys.maxsize
        return self.model.tree.end[scope]

    def _scope_calls(self, scope: Scope) -> list[cst.Call]:
        model = self.model
        if scope is not None:
            return model.callgraph.function_calls(scope)
        if self._module_calls is None:
            self._module_calls = [
                call for call in model.tree.calls if model.enclosing_function_node(call) is None
            ]
        return self._module_calls
