"""What an expression is (its :class:`~mplint.kinds.Kind`) and the calls that hand callables to
processes, threads, pools and executors (:class:`Submission`).

The one recursion of the model lives here: parameters get their kinds from the arguments of the
submissions, and submissions are found through kinds. :meth:`Inference.kind_of` finds the submissions
first, at the top level, and forgets kinds remembered while they were being searched."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint import api_table
from mplint.kinds import Kind, KindName
from mplint.model.names import Binding, BindingKind, ClassInfo, SelfAttr
from mplint.model.syntax import (
    FunctionNode,
    call_argument,
    is_classmethod,
    is_false_literal,
    keyword_arg,
    literal_elements,
    literal_items,
    literal_keywords,
    positional_args,
    string_value,
    tuple_elements,
)

if TYPE_CHECKING:
    from mplint.model.callgraph import CallGraph
    from mplint.model.names import Names
    from mplint.model.tree import Tree


class Via(enum.Enum):
    """How a submission hands its callable over."""

    PROCESS = "process"  # ``Process(target=…)``
    THREAD = "thread"  # ``Thread(target=…)``
    RUN = "run"  # a Process or Thread subclass whose ``run()`` is the work
    INITIALIZER = "initializer"  # ``Pool(initializer=…)``, ``ProcessPoolExecutor(initializer=…)``
    POOL = "pool"  # a pool task method (``apply_async``, ``map`` …)
    EXECUTOR = "executor"  # ``submit``/``map`` of an executor, ``loop.run_in_executor``
    CALLBACK = "callback"  # ``callback=``/``error_callback=``, ``Future.add_done_callback``


@dataclass(frozen=True)
class Submission:
    """A call that hands a callable to another thread or process.

    ``via`` says how (:class:`Via`); ``owner`` is the kind of the Process/Pool/executor;
    ``callable`` the expression given; ``args`` the positional arguments the callable will receive when
    they are known element by element (``args=(a, b)``), else None.
    """

    call: cst.Call
    via: Via
    owner: Kind
    callable: cst.BaseExpression
    args: Optional[tuple[cst.BaseExpression, ...]]


def agree(kinds: Iterable[Optional[Kind]]) -> Optional[Kind]:
    """The kind when every source agrees on its name, else None."""
    first: Optional[Kind] = None
    for kind in kinds:
        if kind is None:
            return None
        if first is None:
            first = kind
        elif kind.name is not first.name or kind.proxy != first.proxy:
            return None
        elif kind.role != first.role:
            first = replace(first, role=None)  # ends of different roles: the role is unknown
    return first


def _item_at(kind: Optional[Kind], index: int) -> Optional[Kind]:
    if kind is None:
        return None
    if kind.name is KindName.TUPLE and index < len(kind.items):
        return kind.items[index]
    if kind.name is KindName.SEQUENCE:
        return kind.item
    return None


def enter_returns_self(kind: Kind) -> bool:
    return kind.is_pool or kind.is_executor or kind.name is KindName.MANAGER


#: One call of a function: positional arguments, whether they are all of them, keyword arguments.
_CallSite = tuple[list[cst.BaseExpression], bool, Optional[dict[str, cst.BaseExpression]]]


def _bind_argument(
    param: cst.Param,
    position: int,
    positional: Sequence[cst.BaseExpression],
    complete: bool,
    keywords: Optional[dict[str, cst.BaseExpression]],
) -> Optional[cst.BaseExpression]:
    """What one call site binds to ``param`` (``position`` is -1 for keyword-only parameters)."""
    if 0 <= position < len(positional):
        return positional[position]
    name = param.name.value
    if keywords is not None and name in keywords:
        return keywords[name]
    if not complete or keywords is None:
        return None
    return param.default


#: How deep one inference may recurse (variables bound to variables, arguments of arguments …).
MAX_INFERENCE_DEPTH = 40


class _Phase(enum.Enum):
    NOT_STARTED = "not started"
    SEARCHING = "searching"  # finding the submissions: kinds inferred now are forgotten afterwards
    SETTLED = "settled"


@dataclass(eq=False)
class Inference:
    """Kinds of expressions and the submissions of the module (see the module docstring)."""

    tree: Tree
    names: Names
    callgraph: CallGraph
    _kind_memo: dict[cst.CSTNode, Optional[Kind]] = field(
        default_factory=dict, init=False, repr=False
    )
    #: Expressions whose kind is being inferred: the recursion guard (a cycle or a chain deeper
    #: than MAX_INFERENCE_DEPTH answers None).
    _kind_busy: set[cst.CSTNode] = field(default_factory=set, init=False, repr=False)
    #: The submissions by the function they run (:meth:`submissions_to`), once they are known.
    _by_target: Optional[dict[FunctionNode, list[Submission]]] = field(
        default=None, init=False, repr=False
    )
    _phase: _Phase = field(default=_Phase.NOT_STARTED, init=False, repr=False)
    _submissions: list[Submission] = field(default_factory=list, init=False, repr=False)

    def kind_of(self, expr: cst.CSTNode) -> Optional[Kind]:
        """What ``expr`` is known to be, or None."""
        if self._phase is _Phase.NOT_STARTED:
            self._search_submissions()
        if expr in self._kind_memo:
            return self._kind_memo[expr]
        if expr in self._kind_busy or len(self._kind_busy) > MAX_INFERENCE_DEPTH:
            return None
        self._kind_busy.add(expr)
        try:
            result = self._kind(expr)
        finally:
            self._kind_busy.discard(expr)
        self._kind_memo[expr] = result
        return result

    def _kind(self, expr: cst.CSTNode) -> Optional[Kind]:
        if isinstance(expr, cst.Call):
            return self._call_kind(expr)
        if isinstance(expr, cst.Name):
            return self._name_kind(expr)
        if isinstance(expr, cst.Attribute):
            key = self.names.binding_key(expr)
            if key is not None and isinstance(key, SelfAttr):
                info = self.names.class_of_node.get(key.cls)
                if info is not None:
                    return agree(self.kind_of(v) for v in info.attributes.get(key.attr, []))
            return None
        if isinstance(expr, cst.Subscript):
            container = self.kind_of(expr.value)
            if container is None:
                return None
            if container.name is KindName.SEQUENCE:
                return container.item
            if container.name is KindName.TUPLE and len(expr.slice) == 1:
                index = expr.slice[0].slice
                if isinstance(index, cst.Index) and isinstance(index.value, cst.Integer):
                    position = int(index.value.value)
                    if 0 <= position < len(container.items):
                        return container.items[position]
            return None
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            kinds = [self.kind_of(e.value) for e in expr.elements]
            if isinstance(expr, cst.Tuple):
                return Kind(KindName.TUPLE, items=tuple(kinds))
            item = agree(kinds)
            return Kind(KindName.SEQUENCE, item=item) if item is not None else None
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            item = self.kind_of(expr.elt)
            return Kind(KindName.SEQUENCE, item=item) if item is not None else None
        if isinstance(expr, cst.IfExp):
            return agree([self.kind_of(expr.body), self.kind_of(expr.orelse)])
        if isinstance(expr, cst.Await):
            return None
        return None

    def _name_kind(self, name: cst.Name) -> Optional[Kind]:
        scope, bindings = self.names.lookup_in_scope(name.value, name)
        if not bindings or scope is None:
            return None
        kinds: list[Optional[Kind]] = []
        for binding in bindings:
            value = binding.value
            if value is not None and value in self._kind_busy:
                # A cycle (``w = Process(); workers.append(w)`` then ``for w in workers``): this
                # binding holds what the others bind; they decide.
                continue
            if binding.how is BindingKind.ASSIGN and not binding.path:
                if isinstance(value, cst.Name) and value.value == "None":
                    continue  # ``x = None`` placeholders do not change what x holds later
                if isinstance(value, cst.List) and not value.elements:
                    appended = scope.appends.get(binding.name, [])
                    item = agree(self.kind_of(v) for v in appended) if appended else None
                    kinds.append(Kind(KindName.SEQUENCE, item=item) if item else None)
                    continue
            kinds.append(self._binding_kind(binding))
        return agree(kinds)

    def _binding_kind(self, binding: Binding) -> Optional[Kind]:
        if binding.how is BindingKind.PARAM:
            return self._param_kind(binding)
        if binding.how is BindingKind.ANNOTATION:
            return self._annotation_kind(binding.value)
        if (
            binding.how not in (BindingKind.ASSIGN, BindingKind.FOR, BindingKind.WITH)
            or binding.value is None
        ):
            return None
        kind = self.kind_of(binding.value)
        if binding.iterates:
            kind = self._iteration_item(binding.value, kind)
        for index in binding.path:
            kind = _item_at(kind, index)
        if binding.enters and kind is not None and not enter_returns_self(kind):
            return None
        return kind

    def _iteration_item(self, iterable: cst.BaseExpression, kind: Optional[Kind]) -> Optional[Kind]:
        if kind is not None and kind.name is KindName.SEQUENCE:
            return kind.item
        if kind is not None and kind.name is KindName.TUPLE:
            return agree(kind.items)
        if isinstance(iterable, cst.Call) and self.names.qualname(iterable.func) in (
            "builtins.enumerate",
            "builtins.reversed",
            "builtins.list",
            "builtins.tuple",
            "builtins.sorted",
        ):
            inner = positional_args(iterable)
            if inner:
                item = self._iteration_item(inner[0].value, self.kind_of(inner[0].value))
                if self.names.qualname(iterable.func) == "builtins.enumerate":
                    return Kind(KindName.TUPLE, items=(None, item)) if item else None
                return item
        return None

    def _annotation_kind(self, annotation: Optional[cst.BaseExpression]) -> Optional[Kind]:
        if annotation is None:
            return None
        qual = self.names.qualname(annotation)
        if qual is None:
            return None
        kind = api_table.constructor_kind(qual)
        if kind is not None and kind.name not in (KindName.PIPE, KindName.CONTEXT):
            return kind
        if qual.endswith("connection.Connection"):
            return Kind(KindName.CONNECTION)
        return None

    def _param_kind(self, binding: Binding) -> Optional[Kind]:
        param = binding.node
        if isinstance(param, cst.Param) and param.annotation is not None:
            annotated = self._annotation_kind(param.annotation.annotation)
            if annotated is not None:
                return annotated
        # What every call and submission of the function binds to the parameter (see param_sources).
        sources = self.param_sources(binding)
        return agree(self.kind_of(source) for source in sources) if sources else None

    def _call_kind(self, call: cst.Call) -> Optional[Kind]:
        func = call.func
        qual = self.names.qualname(func)
        if qual is not None:
            kind = api_table.constructor_kind(qual)
            if kind is not None:
                return self._finish_constructor(kind, call)
        cls = self.names.resolve_class(func)
        if cls is not None:
            base = self.class_base_kind(cls)
            if base is not None:
                return Kind(
                    base.name, family=base.family, method=base.method, cls=cls.name
                ).with_creator(call)
            return None
        if isinstance(func, cst.Attribute):
            receiver = self.kind_of(func.value)
            if receiver is not None:
                if receiver.name is KindName.CONTEXT and func.attr.value == "get_context":
                    return self._finish_constructor(
                        Kind(KindName.CONTEXT, family=receiver.family), call
                    )
                method = func.attr.value
                result = api_table.method_result_kind(receiver, method)
                if result is not None and not api_table.method_makes_new_object(receiver, method):
                    return result  # the receiver's own object: this call creates nothing
                if result is not None:
                    return self._finish_constructor(result, call)
            return None
        function = self.names.resolve_function(func)
        if isinstance(function, cst.FunctionDef):
            return self._returned_kind(function)
        return None

    def _finish_constructor(self, kind: Kind, call: cst.Call) -> Kind:
        if kind.name is KindName.CONTEXT:
            method = api_table.start_method_literal(string_value(call_argument(call, 0, "method")))
            kind = Kind(KindName.CONTEXT, family=kind.family, method=method)
        elif kind.name is KindName.PIPE:
            # Each end remembers the Pipe() call that made it; a one-way pipe's ends know their role.
            one_way = is_false_literal(call_argument(call, 0, "duplex"))
            ends = tuple(
                Kind(
                    KindName.CONNECTION,
                    family=kind.family,
                    creator=call,
                    role=role if one_way else None,
                )
                for role in ("read", "write")
            )
            kind = Kind(KindName.TUPLE, family=kind.family, items=ends)
        elif kind.name is KindName.EXECUTOR:
            context = call_argument(call, 1, "mp_context")
            context_kind = self.kind_of(context) if context is not None else None
            if context_kind is not None and context_kind.name is KindName.CONTEXT:
                kind = Kind(kind.name, family=kind.family, method=context_kind.method)
        return kind.with_creator(call)

    def process_work(self, call: cst.Call) -> Optional[tuple[str, Kind]]:
        """What ``call`` does that starts child processes, as (description, kind), else None.

        Starting a Process, creating a process Pool or ``Manager()``, starting a manager, and submitting
        to a ProcessPoolExecutor (its workers start lazily). Threads do not count.
        """
        func = call.func
        kind = self.kind_of(call)
        if kind is not None and kind.creator is call and not kind.uses_threads:
            if kind.is_process_pool:
                return f"creates a {kind.name.value}", kind
            if kind.name is KindName.MANAGER and kind.cls is None:
                # Manager() starts its server process at once; SyncManager() waits for .start()
                qual = self.names.qualname(func)
                if qual is None and isinstance(func, cst.Attribute):
                    qual = func.attr.value
                if qual is not None and qual.rsplit(".", 1)[-1] == "Manager":
                    return "starts a Manager", kind
        if not isinstance(func, cst.Attribute):
            return None
        receiver = self.kind_of(func.value)
        if receiver is None or receiver.uses_threads:
            return None
        method = func.attr.value
        if method == "start" and receiver.is_process:
            return f"starts a {receiver.cls or 'Process'}", receiver
        if method == "start" and receiver.name is KindName.MANAGER:
            return "starts a Manager", receiver
        if method in api_table.EXECUTOR_TASK_METHODS and receiver.name is KindName.EXECUTOR:
            return "submits to a ProcessPoolExecutor", receiver
        return None

    def starts_processes(self, function: FunctionNode) -> Optional[tuple[cst.Call, str, Kind]]:
        """The first call in the function's own body that starts child processes."""
        for call in self.callgraph.function_calls(function):
            found = self.process_work(call)
            if found is not None:
                return call, found[0], found[1]
        return None

    def _returned_kind(self, function: cst.FunctionDef) -> Optional[Kind]:
        kinds: list[Optional[Kind]] = []
        for node in self.own_returns(function):
            kinds.append(self.kind_of(node.value) if node.value is not None else None)
        return agree(kinds) if kinds else None

    def own_returns(self, function: FunctionNode) -> list[cst.Return]:
        return self.tree.returns.get(function, [])

    def class_base_kind(self, info: ClassInfo, depth: int = 0) -> Optional[Kind]:
        """The library class a user class derives from (Process, Thread, a Manager, a Pool …)."""
        if depth > 5:
            return None
        for base in info.bases:
            qual = self.names.qualname(base)
            if qual is not None:
                kind = api_table.constructor_kind(qual)
                if kind is not None and kind.name in (
                    KindName.PROCESS,
                    KindName.THREAD,
                    KindName.POOL,
                    KindName.THREAD_POOL,
                    KindName.MANAGER,
                    KindName.EXECUTOR,
                    KindName.THREAD_EXECUTOR,
                ):
                    return kind
            if isinstance(base, cst.Attribute):
                # class W(ctx.Process) where ctx is a context object
                receiver = self.kind_of(base.value)
                if receiver is not None and receiver.name is KindName.CONTEXT:
                    kind = api_table.context_attribute_kind(receiver, base.attr.value)
                    if kind is not None and kind.name is KindName.PROCESS:
                        return kind
            parent = self.names.resolve_class(base)
            if parent is not None and parent is not info:
                found = self.class_base_kind(parent, depth + 1)
                if found is not None:
                    return found
        return None

    def submissions(self) -> list[Submission]:
        """Every call that hands a callable to a process, thread, pool or executor (B7 roots)."""
        if self._phase is _Phase.NOT_STARTED:
            self._search_submissions()
        if self._phase is _Phase.SEARCHING:
            return []  # asked while searching (a parameter's kind): not known yet
        return self._submissions

    def _search_submissions(self) -> None:
        """Phase one: find the submissions with kinds that know no submission (a parameter's kind then
        comes from its annotation and direct calls only); then forget those kinds, so that phase two
        infers every kind with the submissions known."""
        self._phase = _Phase.SEARCHING
        try:
            found = list(self._find_submissions())
        except BaseException:
            self._phase = _Phase.NOT_STARTED
            raise
        finally:
            self._kind_memo.clear()
        self._submissions = found
        self._phase = _Phase.SETTLED

    def _find_submissions(self) -> Iterator[Submission]:
        for call in self.tree.calls:
            func = call.func
            owner = self.kind_of(call)
            if owner is not None and owner.creator is not call:
                owner = None
            if owner is not None and owner.name in (KindName.PROCESS, KindName.THREAD):
                if owner.cls is not None:
                    info = self.names.classes.get(owner.cls)
                    run = self.names.class_method(info, "run") if info is not None else None
                    if run is not None:
                        yield Submission(call, Via.RUN, owner, call.func, None)
                        continue
                target = call_argument(call, 1, "target")
                if target is not None:
                    yield Submission(
                        call,
                        Via.PROCESS if owner.is_process else Via.THREAD,
                        owner,
                        target,
                        tuple_elements(call_argument(call, 3, "args")),
                    )
                continue
            if owner is not None and (owner.is_pool or owner.is_executor):
                position = 2 if owner.is_executor else 1  # Executor(max_workers, mp_context, ...)
                initializer = call_argument(call, position, "initializer")
                if initializer is not None:
                    initargs = tuple_elements(call_argument(call, position + 1, "initargs"))
                    yield Submission(call, Via.INITIALIZER, owner, initializer, initargs)
                continue
            if not isinstance(func, cst.Attribute):
                continue
            receiver = self.kind_of(func.value)
            if receiver is None:
                continue
            method = func.attr.value
            positional = positional_args(call)
            args: Optional[tuple[cst.BaseExpression, ...]] = None
            task = call_argument(call, 0, "func") if receiver.is_pool else None
            if receiver.is_pool and method in api_table.POOL_TASK_METHODS and task is not None:
                if method in ("apply", "apply_async"):
                    args = tuple_elements(call_argument(call, 1, "args")) or ()
                yield Submission(call, Via.POOL, receiver, task, args)
                for keyword in ("callback", "error_callback"):
                    callback = keyword_arg(call, keyword)
                    if callback is not None:
                        yield Submission(call, Via.CALLBACK, receiver, callback.value, None)
            elif receiver.is_executor and method in api_table.EXECUTOR_TASK_METHODS:
                # submit(fn, /, *args, **kwargs) takes its callable by position only; map(fn, *iterables).
                if method == "map":
                    task = call_argument(call, 0, "fn")
                else:
                    task = positional[0].value if positional else None
                if task is None:
                    continue
                if method == "submit" and all(a.keyword is None and not a.star for a in call.args):
                    args = tuple(a.value for a in positional[1:])
                yield Submission(call, Via.EXECUTOR, receiver, task, args)
            elif receiver.name is KindName.FUTURE and method == "add_done_callback" and positional:
                yield Submission(call, Via.CALLBACK, receiver, positional[0].value, None)

    def submissions_to(self, function: FunctionNode) -> list[Submission]:
        """The submissions whose callable is ``function`` (indexed once the submissions are known)."""
        submissions = self.submissions()
        if self._phase is not _Phase.SETTLED:
            return [s for s in submissions if self.names.resolve_function(s.callable) is function]
        if self._by_target is None:
            index: dict[FunctionNode, list[Submission]] = {}
            for submission in submissions:
                target = self.names.resolve_function(submission.callable)
                if target is not None:
                    index.setdefault(target, []).append(submission)
            self._by_target = index
        return list(self._by_target.get(function, ()))

    def thread_work(self, call: cst.Call) -> Optional[tuple[str, Kind]]:
        """What ``call`` does that starts threads in this process, as (description, kind), else None.

        ``Thread.start()`` (also ``multiprocessing.dummy.Process`` and ``Thread`` subclasses), creating a
        ``ThreadPool`` (its workers start at once) or a process ``Pool`` (its three handler threads),
        and submitting to a ``ThreadPoolExecutor`` or a ``ProcessPoolExecutor`` (their threads start
        with the first task).
        """
        kind = self.kind_of(call)
        if kind is not None and kind.creator is call and not kind.proxy:
            if kind.name is KindName.THREAD_POOL or (
                kind.name is KindName.POOL and kind.family == "multiprocessing.dummy"
            ):
                return "creates a ThreadPool", kind
            if kind.is_process_pool:
                return "creates a Pool (it runs three handler threads)", kind
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        receiver = self.kind_of(func.value)
        if receiver is None or receiver.proxy:
            return None
        method = func.attr.value
        if method == "start" and receiver.is_thread:
            return "starts a thread", receiver
        if method in api_table.EXECUTOR_TASK_METHODS and receiver.is_executor:
            return f"submits to a {receiver.name.value} (it starts threads)", receiver
        return None

    def param_sources(self, binding: Binding) -> Optional[list[cst.BaseExpression]]:
        """The expressions a parameter may be bound to, from every site that runs the function.

        Sites are the direct calls (:meth:`calls_to`) and the submissions: ``Process(args=, kwargs=)``, a
        pool's ``initializer``/``initargs``, ``apply``/``apply_async`` ``args``/``kwds``, ``submit``'s
        arguments, and the arguments bound by ``functools.partial``. A site that leaves the parameter out
        gives its default. None when some site cannot be told (``*args``, the items of ``pool.map``, a
        callback) or when nothing in this module runs the function.
        """
        param = binding.node
        if not isinstance(param, cst.Param) or binding.how is not BindingKind.PARAM:
            return None
        function = self.tree.parents.get(self.tree.parents.get(param) or param)
        if not isinstance(function, (cst.FunctionDef, cst.Lambda)):
            return None
        if param is function.params.star_arg or param is function.params.star_kwarg:
            return None
        method = isinstance(function, cst.FunctionDef) and self.names.is_method(function)
        if method and binding.param_index == 0:
            return None  # ``self`` / ``cls``
        sources: list[cst.BaseExpression] = []
        for submission in self.submissions_to(function):
            sites = self._submission_bindings(submission)
            if sites is None:
                return None
            position = binding.param_index - 1 if method else binding.param_index
            for arguments in sites:
                found = _bind_argument(param, position, *arguments)
                if found is None:
                    return None
                sources.append(found)
        for call in self.callgraph.calls_to(function):
            if any(arg.star for arg in call.args):
                return None
            passes_self = (
                method
                and isinstance(function, cst.FunctionDef)
                and isinstance(call.func, cst.Attribute)
                and self.names.resolve_class(call.func.value) is not None
                and not is_classmethod(function)
            )
            position = binding.param_index - (1 if method and not passes_self else 0)
            positional = [a.value for a in call.args if a.keyword is None]
            keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
            found = _bind_argument(param, position, positional, True, keywords)
            if found is None:
                return None
            sources.append(found)
        return sources or None

    def _submission_bindings(self, submission: Submission) -> Optional[list[_CallSite]]:
        """What a submission passes to its callable, per call of it: (positional arguments, whether they
        are all of them, keyword arguments or None when unknown). ``map``/``starmap`` over a list
        display or a comprehension give one site per item (or one for the comprehension's element).
        None for callbacks and ``run()``."""
        call = submission.call
        method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
        sites: Optional[
            list[tuple[list[cst.BaseExpression], Optional[dict[str, cst.BaseExpression]]]]
        ]
        sites = None
        if submission.via in (Via.PROCESS, Via.THREAD):
            positional = literal_elements(call_argument(call, 3, "args"))
            keywords = literal_keywords(call_argument(call, 4, "kwargs"))
            sites = [(positional, keywords)] if positional is not None else None
        elif submission.via is Via.INITIALIZER:
            position = 3 if submission.owner.is_executor else 2
            positional = literal_elements(call_argument(call, position, "initargs"))
            sites = [(positional, {})] if positional is not None else None
        elif submission.via is Via.POOL and method in ("apply", "apply_async"):
            positional = literal_elements(call_argument(call, 1, "args"))
            keywords = literal_keywords(call_argument(call, 2, "kwds"))
            sites = [(positional, keywords)] if positional is not None else None
        elif submission.via is Via.EXECUTOR and method == "submit":
            if not any(a.star for a in call.args):
                positional = [a.value for a in positional_args(call)[1:]]
                keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
                sites = [(positional, keywords)]
        elif submission.via in (Via.POOL, Via.EXECUTOR):
            arguments = positional_args(call)
            if len(arguments) == 2 or (len(arguments) > 2 and submission.via is Via.POOL):
                items = literal_items(arguments[1].value)
                if items is not None and method in ("starmap", "starmap_async"):
                    unpacked = [
                        literal_elements(item) if item is not None else None for item in items
                    ]
                    if all(u is not None for u in unpacked):
                        sites = [(u, {}) for u in unpacked if u is not None]
                elif items is not None:
                    sites = [([item], {}) for item in items if item is not None]
                    if len(sites) != len(items):
                        sites = None
        elif submission.via not in (Via.POOL, Via.EXECUTOR):
            return None
        bound: list[cst.BaseExpression] = []
        bound_keywords: dict[str, cst.BaseExpression] = {}
        callable_ = submission.callable
        if (
            isinstance(callable_, cst.Call)
            and self.names.qualname(callable_.func) == "functools.partial"
        ):
            if any(a.star for a in callable_.args):
                return None
            bound = [a.value for a in callable_.args[1:] if a.keyword is None]
            bound_keywords = {
                a.keyword.value: a.value for a in callable_.args if a.keyword is not None
            }
        if sites is None:
            return [(bound, False, bound_keywords or None)]
        return [
            (
                [*bound, *positional],
                True,
                {**keywords, **bound_keywords} if keywords is not None else None,
            )
            for positional, keywords in sites
        ]

    def handed_arguments(self, submission: Submission) -> list[cst.BaseExpression]:
        """The argument expressions a submission sends to the child, as far as they are spelled out:
        the items of ``args=``/``kwargs=``, of ``apply_async``'s ``args``/``kwds``, ``submit``'s
        arguments, ``functools.partial`` arguments, ``initargs``, the items of ``map()``/``starmap()``
        over a display or a comprehension, and the constructor arguments of a Process subclass.
        Nothing for callbacks (they run in the parent)."""
        if submission.via is Via.CALLBACK:
            return []
        if submission.via is Via.RUN:
            return [a.value for a in submission.call.args if not a.star]
        out: list[cst.BaseExpression] = []
        for positional, _, keywords in self._submission_bindings(submission) or []:
            for expr in (*positional, *(keywords or {}).values()):
                if not any(expr is seen for seen in out):
                    out.append(expr)
        return out
