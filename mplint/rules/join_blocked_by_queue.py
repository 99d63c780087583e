from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Severity
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import (
    Binding,
    BindingKind,
    FunctionNode,
    LocalVar,
    Model,
    Submission,
    VarKey,
    Via,
    call_argument,
)
from mplint.model.syntax import scope_descendants
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import ends_the_program

_WRITES = (*api_table.QUEUE_PUT_METHODS, *api_table.CONNECTION_SEND_METHODS)
_READS = (*api_table.QUEUE_GET_METHODS, *api_table.CONNECTION_RECV_METHODS)


@dataclass(frozen=True)
class _Channel:
    """A queue or pipe the child writes to, and the variable the parent reads it through."""

    name: str  # how the parent spells the object it reads
    read_key: Optional[VarKey]  # None when the parent's end is not a variable
    write: cst.Call  # the child's first write
    #: The call that made the object, when the parent reads it through a container (``for q in
    #: queues.values()``, ``for conn in ends``) rather than through one variable.
    creator: Optional[cst.Call] = None
    queue: bool = False  # a multiprocessing queue (not a pipe)


class JoinBlockedByQueue(LintRule):
    """
    ## What it does
    Checks for `p.join()` (without a timeout) on a process that
    - puts data into a `multiprocessing` queue (or sends it through a pipe) that the parent reads only
      after the `join()` (also through a dict of queues or a list of pipe ends); or
    - consumes a queue in a `while True:` loop that has no way out (no sentinel check with `break`, no
      `return`, `raise` or `sys.exit()`), so it never ends.

    A call of a function of the module that joins the processes it is given (`join_all(procs)`, with
    `for p in procs: p.join()`) counts as a `join()` where it is called, and is reported there.

    ## Why is this bad?
    Both hang forever. A process that put items into a queue does not exit until its feeder thread
    has written them all to the pipe (`multiprocessing/queues.py` `Queue._finalize_join` joins the
    thread that blocks in `send_bytes`), and a pipe holds about 64 KiB: when the pickled data is
    bigger, the child waits for the parent to read while the parent waits in `join()` for the child.
    It passes tests with small data and hangs in production. `SimpleQueue.put()` and
    `Connection.send()` block the same way, in the child itself; for a pipe, what matters is when the
    parent reads the *other* end of the same `Pipe()` (the specification's "every `q.get()` of the same
    object" does not fit pipes). A consumer without a sentinel blocks in `get()` forever, and so does
    the `join()` waiting for it.

    Also reported: `p.join(timeout)` as the parent's last act (the end of the `__main__` guard, or of
    the function it calls last) on a child that puts into a queue in a loop, when the parent reads that
    queue only a fixed number of times before (never in a loop) and not after. The `join()` returns,
    the program ends, and the interpreter's exit handler (`multiprocessing/util.py`
    `_exit_function`) joins the child without a timeout: the same hang, at exit.

    Not reported: `join(timeout)` polling loops, reads before the `join()`, queues another process or a
    helper drains, `q.cancel_join_thread()` in the child, Manager queues (no feeder thread), processes
    `terminate()`d before the `join()`, and children that only put a few small literals (`q.put(1)`,
    `q.put("done")` once, outside loops), which cannot fill the pipe.

    ## Example
    ```python
    def producer(q):
        q.put(compute())               # a large result

    q = Queue()
    p = Process(target=producer, args=(q,))
    p.start()
    p.join()
    data = q.get()
    ```

    Use instead:
    ```python
    p.start()
    data = q.get()                     # drain first (or until a sentinel)
    p.join()
    ```

    ## Fix safety
    There is no automatic fix: moving `join()` after the reads reorders side effects (the
    specification's "unsafe reorder" is left to the author), and a missing sentinel is a design
    change.

    ## References
    - [Programming guidelines, "Joining processes that use queues"](https://docs.python.org/3/library/multiprocessing.html#multiprocessing-programming):
      "a process that has put items in a queue will wait before terminating until all the buffered
      items are fed by the 'feeder' thread to the underlying pipe".
    - [CPython issue 73983](https://github.com/python/cpython/issues/73983).
    """

    CODE = "MPL501"
    GATE = Gate.of(needs(PROCESSES, "join"))
    NAME = "join-blocked-by-queue"
    MESSAGE = "`{join}` {problem}"
    SEVERITY = Severity.ERROR

    VALID = [
        Valid(
            """
            from multiprocessing import Process, Queue
            def producer(q): q.put('x' * 10**6)
            def main():
                q = Queue()
                p = Process(target=producer, args=(q,))
                p.start()
                data = q.get()
                p.join()
            """
        ),
        Valid(
            """
            from multiprocessing import Process, Manager
            def producer(q): q.put('x' * 10**6)
            def main():
                with Manager() as m:
                    q = m.Queue()
                    p = Process(target=producer, args=(q,))
                    p.start()
                    p.join()
                    data = q.get()
            """
        ),
        Valid(
            """
            from multiprocessing import Process, Queue
            def consumer(q):
                while True:
                    item = q.get()
                    if item is None:
                        break
            def main():
                q = Queue()
                p = Process(target=consumer, args=(q,))
                p.start()
                q.put(None)
                p.join()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process, Queue
            def producer(q): q.put('x' * 10**6)
            def main():
                q = Queue()
                p = Process(target=producer, args=(q,))
                p.start()
                p.join()
                data = q.get()
            """
        ),
        Invalid(
            """
            from multiprocessing import Process, JoinableQueue
            def consumer(q):
                while True:
                    print(q.get())
            def main():
                q = JoinableQueue()
                p = Process(target=consumer, args=(q,))
                p.start()
                q.put(1)
                p.join()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for submission in model.submissions():
            if submission.via not in (Via.PROCESS, Via.RUN) or not submission.owner.is_process:
                continue
            root = model.workers.submission_root(submission)
            if root is None:
                continue
            all_joins = model.values.object_calls(submission.call, ("join",))
            for join in all_joins:
                if waits_forever(join) or self.reported(join):
                    continue
                problem = self._exit_after_timed_join(submission, root, join)
                if problem is not None:
                    self.report(join, once=join, join=self.code_for(join), problem=problem)
            joins = [j for j in all_joins if waits_forever(j)]
            joins = [j for j in joins if not self.reported(j) and not self._terminated_before(j)]
            if not joins:
                continue
            found = self._unread_writes(submission, root, joins) or self._endless_consumer(
                submission, root, joins
            )
            if found is not None:
                join, problem = found
                self.report(join, once=join, join=self.code_for(join), problem=problem)

    # --- the child writes, the parent reads after join() ------------------------------------------------
    def _unread_writes(
        self, submission: Submission, root: FunctionNode, joins: list[cst.Call]
    ) -> Optional[tuple[cst.Call, str]]:
        model = self.model
        for channel in self._channels(submission, root):
            if channel.read_key is None and channel.creator is None:
                continue  # no variable to read it through: nothing is read after the join
            for join in [*joins, *self._joining_calls(joins, channel, submission)]:
                function = model.enclosing_function_node(join)
                reads = [
                    r for r in self._reads(channel) if model.enclosing_function_node(r) is function
                ]
                if not any(model.precedes(join, r) for r in reads):
                    continue
                if any(model.precedes(r, join) for r in reads):
                    continue
                if self._drained_elsewhere(channel, submission, function):
                    continue
                write = channel.write.func
                sent = isinstance(write, cst.Attribute) and write.attr.value.startswith("send")
                return join, (
                    f"comes before `{channel.name}` is read: the child cannot exit while what it "
                    f"{'sent' if sent else 'put'} is unread (a hang beyond 64 KiB)"
                )
        return None

    def _joining_calls(
        self, joins: list[cst.Call], channel: _Channel, producer: Submission
    ) -> list[cst.Call]:
        """Calls of a function of the module that joins the processes it is given (``join_all(procs)``
        with ``for p in procs: p.join()``), given the producer, and reading nothing of the channel
        itself: each call waits like a ``join()`` written in its place."""
        model = self.model
        out: list[cst.Call] = []
        for join in joins:
            helper = model.enclosing_function_node(join)
            func = join.func
            if not isinstance(helper, cst.FunctionDef) or not isinstance(func, cst.Attribute):
                continue
            if any(model.enclosing_function_node(r) is helper for r in self._reads(channel)):
                continue
            param = self._joined_parameter(join, func.value)
            if param is None:
                continue
            for call in model.callgraph.calls_to(helper):
                given = model.valueflow.call_binds(helper, param, call)
                kind = model.kind_of(given) if given is not None else None
                if kind is not None and kind.name is KindName.SEQUENCE:
                    kind = kind.item
                if kind is not None and kind.creator is producer.call and call not in out:
                    out.append(call)
        return out

    def _joined_parameter(self, join: cst.Call, receiver: cst.BaseExpression) -> Optional[Binding]:
        """The parameter whose process (or each of whose processes: ``for p in procs: p.join()``)
        ``join`` waits for whenever its function runs."""
        model = self.model
        binding = model.names.only_binding(receiver)
        if binding is None:
            return None
        if binding.how is BindingKind.PARAM:
            return binding if model.flow.runs_whenever_scope_runs(join) else None
        loops = model.flow.enclosing_loops(join)
        if binding.how is not BindingKind.FOR or len(loops) != 1 or binding.value is None:
            return None
        items = model.names.only_binding(binding.value)
        if (
            items is not None
            and items.how is BindingKind.PARAM
            and model.flow.runs_each_iteration(join, loops[0])
            and model.flow.runs_whenever_scope_runs(loops[0])
        ):
            return items
        return None

    def _reads(self, channel: _Channel) -> list[cst.Call]:
        """The parent's reads of the channel: through its variable, or on anything holding the object
        its creator made."""
        model = self.model
        reads = model.calls_on(channel.read_key, _READS) if channel.read_key is not None else []
        if channel.creator is not None:
            reads = [*reads, *model.values.object_calls(channel.creator, _READS)]
        return sorted(set(reads), key=lambda c: model.tree.order.get(c, 0))

    def _holds(self, channel: _Channel, expr: cst.BaseExpression) -> bool:
        """``expr`` is the channel's variable, or holds the object the channel's creator made."""
        if channel.read_key is not None and self.model.binding_key(expr) == channel.read_key:
            return True
        if channel.creator is None:
            return False
        kind = self.model.kind_of(expr)
        return kind is not None and kind.creator is channel.creator

    # --- join(timeout), then the program ends -----------------------------------------------------------
    def _exit_after_timed_join(
        self, submission: Submission, root: FunctionNode, join: cst.Call
    ) -> Optional[str]:
        """``p.join(timeout)`` is the parent's last act while the child puts items in a loop that the
        parent reads only a fixed number of times before: the exit handler joins the child for good."""
        model = self.model
        if not ends_the_program(model, join) or model.workers.runs_in_daemon(submission):
            return None
        stops = model.values.object_calls(submission.call, ("terminate", "kill"))
        if any(model.precedes(join, stop) for stop in stops):
            return None
        function = model.enclosing_function_node(join)
        for channel in self._channels(submission, root):
            if channel.read_key is None or not channel.queue:
                continue
            if not any(isinstance(a, (cst.For, cst.While)) for a in model.ancestors(channel.write)):
                continue  # one put per run: a few items cannot be told from many
            reads = [
                r
                for r in model.calls_on(channel.read_key, _READS)
                if model.enclosing_function_node(r) is function
            ]
            if any(model.precedes(join, r) or model.flow.in_loop(r) for r in reads):
                continue
            if self._drained_elsewhere(channel, submission, function):
                continue
            return (
                f"returns after its timeout while the child still puts into `{channel.name}` "
                "what nobody reads; then the program ends, and the interpreter's exit joins the "
                "child, which cannot exit until that data is read (a hang beyond 64 KiB)"
            )
        return None

    def _channels(self, submission: Submission, root: FunctionNode) -> list[_Channel]:
        model = self.model
        out: list[_Channel] = []
        seen: set[object] = set()
        candidates: list[cst.BaseExpression] = [
            *model.handoff.submitted_arguments(submission),
            *model.handoff.submitted_keywords(submission).values(),
        ]
        # globals and closure variables the child writes to directly
        for function in model.callgraph.reachable_functions(root):
            for call in model.callgraph.function_calls(function):
                func = call.func
                if isinstance(func, cst.Attribute) and func.attr.value in _WRITES:
                    key = model.binding_key(func.value)
                    if key is not None and isinstance(key, LocalVar) and key.scope is not function:
                        candidates.append(func.value)
        for expr in candidates:
            kind = model.kind_of(expr)
            if not _blocks_child_exit(kind):
                continue
            key = model.binding_key(expr)
            creator = kind.creator if kind is not None and key is None else None
            if (key is None and creator is None) or (key or creator) in seen:
                continue
            seen.add(key or creator)
            writes = model.handoff.worker_calls(submission, expr, _WRITES)
            if not writes or self._small_and_few(writes, root):
                continue
            if model.handoff.worker_calls(submission, expr, ("cancel_join_thread",)):
                continue
            assert kind is not None
            if kind.name is KindName.CONNECTION:
                peer = self._peer(expr)
                if peer is not None:
                    read_key = model.binding_key(peer)
                    out.append(_Channel(peer.value, read_key, writes[0], kind.creator))
                elif kind.creator is not None and kind.role is None:
                    out.append(_Channel("the other end", None, writes[0], kind.creator))
            else:
                out.append(
                    _Channel(self.code_for(expr), key, writes[0], kind.creator, queue=kind.is_queue)
                )
        return out

    def _small_and_few(self, writes: list[cst.Call], root: FunctionNode) -> bool:
        """Each write sends a small literal (a number, a short string, ``None`` …), once, from the
        target itself: the data cannot outgrow the pipe buffer."""
        model = self.model
        for write in writes:
            if model.enclosing_function_node(write) is not root:
                return False  # a helper may be called in a loop
            if len(write.args) != 1 or not _small_literal(write.args[0].value):
                return False
            if any(isinstance(a, (cst.For, cst.While)) for a in self._ancestors_in(write, root)):
                return False
        return True

    def _ancestors_in(self, node: cst.CSTNode, function: FunctionNode) -> list[cst.CSTNode]:
        out: list[cst.CSTNode] = []
        for ancestor in self.model.ancestors(node):
            if ancestor is function:
                break
            out.append(ancestor)
        return out

    def _peer(self, expr: cst.BaseExpression) -> Optional[cst.Name]:
        """The other end of the pipe whose end ``expr`` is."""
        if not isinstance(expr, cst.Name):
            return None
        found = self.model.values.pipe_unpacking(expr)
        if found is None:
            return None
        _, index, target = found
        other = target.elements[1 - index].value
        return other if isinstance(other, cst.Name) else None

    def _drained_elsewhere(
        self,
        channel: _Channel,
        producer: Submission,
        function: Optional[FunctionNode],
    ) -> bool:
        """Another process, thread or helper may read the object while the parent waits."""
        model = self.model
        for other in model.submissions():
            if other is producer or other.via is Via.CALLBACK:
                continue
            for arg in (
                *model.handoff.submitted_arguments(other),
                *model.handoff.submitted_keywords(other).values(),
            ):
                if self._holds(channel, arg) and model.handoff.worker_calls(other, arg, _READS):
                    return True
            if other.args is None and any(self._holds(channel, a.value) for a in other.call.args):
                return True  # handed over in a way this module cannot follow
        producer_root = model.workers.submission_root(producer)
        own = set(model.callgraph.reachable_functions(producer_root)) if producer_root else set()
        for read in self._reads(channel):
            owner = model.enclosing_function_node(read)
            if owner is not function and owner not in own:
                return True  # a global or closure read somewhere else
        if function is not None:
            for call in model.callgraph.function_calls(function):
                if any(submission.call is call for submission in model.submissions()):
                    continue
                if _stores_in_container(model, call):
                    continue  # ``ends.append(parent)``: kept for the reads that follow
                if any(self._holds(channel, a.value) for a in call.args):
                    return True  # passed to a helper that may read it
        return False

    def _terminated_before(self, join: cst.Call) -> bool:
        model = self.model
        func = join.func
        assert isinstance(func, cst.Attribute)
        key = model.binding_key(func.value)
        if key is None:
            return False
        return any(
            model.precedes(stop, join) for stop in model.calls_on(key, ("terminate", "kill"))
        )

    # --- a consumer that never ends ----------------------------------------------------------------------
    def _endless_consumer(
        self, submission: Submission, root: FunctionNode, joins: list[cst.Call]
    ) -> Optional[tuple[cst.Call, str]]:
        model = self.model
        queue_keys: set[VarKey] = set()
        passed = [
            *(
                (index, None, arg)
                for index, arg in enumerate(model.handoff.submitted_arguments(submission))
            ),
            *(
                (-1, name, arg)
                for name, arg in model.handoff.submitted_keywords(submission).items()
            ),
        ]
        for index, keyword, arg in passed:
            kind = model.kind_of(arg)
            if kind is not None and kind.is_queue and not kind.uses_threads:
                queue_keys.update(model.handoff.worker_keys(submission, index, keyword))
        for function in model.callgraph.reachable_functions(root):
            for call in model.callgraph.function_calls(function):
                func = call.func
                if not isinstance(func, cst.Attribute) or func.attr.value != "get" or call.args:
                    continue
                kind = model.kind_of(func.value)
                is_queue = kind is not None and kind.is_queue and not kind.uses_threads
                if not is_queue and model.binding_key(func.value) not in queue_keys:
                    continue
                loop = self._enclosing_while(call)
                if (
                    loop is None
                    or not model.flow.is_infinite_loop(loop)
                    or loop_can_exit(model, loop)
                ):
                    continue
                name = function.name.value if isinstance(function, cst.FunctionDef) else "lambda"
                return joins[0], (
                    f"never returns: `{name}` loops on `{self.code_for(call)}` with no sentinel, "
                    "`break` or `return`"
                )
        return None

    def _enclosing_while(self, node: cst.CSTNode) -> Optional[cst.While]:
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, cst.While):
                return ancestor
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.For)):
                return None
        return None


def _stores_in_container(model: Model, call: cst.Call) -> bool:
    """``x.append(v)`` and the like on a plain container of this module (a list or dict variable)."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in _CONTAINER_STORES:
        return False
    kind = model.kind_of(func.value)
    return kind is None or kind.name in (KindName.SEQUENCE, KindName.MAPPING)


_CONTAINER_STORES = frozenset({"append", "appendleft", "add", "insert", "extend", "setdefault"})


def _small_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary)):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("None", "True", "False")
    if isinstance(node, cst.SimpleString):
        return len(node.value) <= 1000
    if isinstance(node, cst.UnaryOperation):
        return _small_literal(node.expression)
    if isinstance(node, cst.Tuple):
        return len(node.elements) <= 10 and all(_small_literal(e.value) for e in node.elements)
    return False


def _blocks_child_exit(kind: Optional[Kind]) -> bool:
    """Writing to it can keep the child from exiting: a multiprocessing queue or a pipe end."""
    if kind is None or kind.proxy or kind.uses_threads:
        return False
    return kind.is_queue or kind.name is KindName.CONNECTION


# --- helpers of this rule ---
def loop_can_exit(model: Model, loop: Union[cst.While, cst.For]) -> bool:
    """The loop body has a way out: a ``break`` of this loop, ``return``, ``raise``, ``yield``, or a
    call to ``sys.exit()``/``os._exit()``/``exit()``/``quit()`` (directly or in a module function it
    calls)."""
    for node in scope_descendants(loop.body):
        if isinstance(node, (cst.Return, cst.Raise, cst.Yield)):
            return True
        if isinstance(node, cst.Break) and model.flow.loop_of_break(node) is loop:
            return True
    for call in model.flow.calls_within(loop.body):
        if model.callgraph.is_exit_call(call):
            return True
        target = model.names.resolve_function(call.func)
        if target is not None and model.callgraph.call_chain(
            target, model.callgraph.raises_or_exits, 2
        ):
            return True
    return False


def waits_forever(join: cst.Call) -> bool:
    """``x.join()`` without a timeout (or with ``timeout=None``)."""
    argument = call_argument(join, 0, "timeout")
    if argument is None:
        return not join.args
    return isinstance(argument, cst.Name) and argument.value == "None"
