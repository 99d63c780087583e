"""What an expression is (its :class:`~mplint.kinds.Kind`) and the calls that hand callables to
processes, threads, pools and executors (:class:`Submission`).

The one recursion of the model lives here: parameters get their kinds from the arguments of the
submissions, and submissions are found through kinds. :meth:`Inference.kind_of` finds the submissions
first, at the top level, and forgets kinds remembered while they were being searched."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final, Optional, cast

import libcst as cst

from mplint import api_table
from mplint.kinds import Kind, KindName, agree
from mplint.model.names import Binding, BindingKind, ClassInfo, LocalVar, SelfAttr, VarKey
from mplint.model.syntax import (
    FunctionNode,
    call_argument,
    is_false_literal,
    keyword_arg,
    literal_elements,
    literal_items,
    literal_keywords,
    positional_args,
    string_value,
    tuple_elements,
)
from mplint.model.valueflow import CallSite, Source, bind_argument, is_none

if TYPE_CHECKING:
    from mplint.model.callgraph import CallGraph
    from mplint.model.imported import ImportedNames
    from mplint.model.names import Names
    from mplint.model.tree import Tree
    from mplint.model.valueflow import Dataflow


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
    they are known element by element (``args=(a, b)``), else None. When the call names the callable
    through a parameter, a variable, an attribute or a container (``Process(target=target)`` in
    ``def run(target)``, called as ``run(serve)``), ``callable`` is what the value flow reached
    (``serve`` at the call of ``run``) and ``through`` the expression written at the call.
    """

    call: cst.Call
    via: Via
    owner: Kind
    callable: cst.BaseExpression
    args: Optional[tuple[cst.BaseExpression, ...]]
    through: Optional[cst.BaseExpression] = None
    #: When ``through`` is a parameter of the function making the submission: the call of that
    #: function that gave ``callable`` (its other arguments bind that function's other parameters).
    site: Optional[cst.Call] = None


def _item_at(kind: Optional[Kind], index: int) -> Optional[Kind]:
    if kind is None:
        return None
    if kind.name is KindName.TUPLE and index < len(kind.items):
        return kind.items[index]
    if kind.name is KindName.SEQUENCE:
        return kind.item
    return None


def _is_slice(subscript: cst.Subscript) -> bool:
    return len(subscript.slice) == 1 and isinstance(subscript.slice[0].slice, cst.Slice)


def enter_returns_self(kind: Kind) -> bool:
    return kind.is_pool or kind.is_executor or kind.name is KindName.MANAGER


#: How deep one inference may recurse (variables bound to variables, arguments of arguments …).
MAX_INFERENCE_DEPTH = 40


#: Not in the memo of kinds (None is a kind remembered: nothing known).
_UNKNOWN: Final = cast(Kind, object())

#: What a kind inferred while searching relied on when it met an expression already being inferred (a
#: cycle) or the depth limit: the answer depends on where the question was asked, so it is not kept.
_STACK = object()


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
    valueflow: Dataflow
    #: names imported from other modules of the project (their objects, factories and classes)
    imported: ImportedNames
    _kind_memo: dict[cst.CSTNode, Optional[Kind]] = field(
        default_factory=dict, init=False, repr=False
    )
    #: Expressions whose kind is being inferred: the recursion guard (a cycle or a chain deeper
    #: than MAX_INFERENCE_DEPTH answers None).
    _kind_busy: set[cst.CSTNode] = field(default_factory=set, init=False, repr=False)
    _phase: _Phase = field(default=_Phase.NOT_STARTED, init=False, repr=False)
    _submissions: list[Submission] = field(default_factory=list, init=False, repr=False)
    _submissions_by_function: Optional[dict[FunctionNode, list[Submission]]] = field(
        default=None, init=False, repr=False
    )
    #: While searching: what the kind being inferred has relied on that may be answered otherwise once
    #: the submissions are known (see :meth:`_search_submissions`); None when nothing yet.
    _relied: Optional[set[object]] = field(default=None, init=False, repr=False)
    #: While searching: for each expression whose kind relied on such a thing, what it relied on.
    _reliance: dict[cst.CSTNode, set[object]] = field(default_factory=dict, init=False, repr=False)

    def method_call(self, call: cst.Call) -> Optional[tuple[Kind, str]]:
        """For a method call ``x.m(...)`` whose receiver ``x`` is of a known kind: that kind and ``m``."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        kind = self.kind_of(func.value)
        return None if kind is None else (kind, func.attr.value)

    def kind_of(self, expr: cst.CSTNode) -> Optional[Kind]:
        """What ``expr`` is known to be, or None."""
        phase = self._phase
        if phase is _Phase.SETTLED:
            known = self._kind_memo.get(expr, _UNKNOWN)
            if known is not _UNKNOWN:
                return known
            if expr in self._kind_busy or len(self._kind_busy) > MAX_INFERENCE_DEPTH:
                return None
            self._kind_busy.add(expr)
            try:
                result = self._kind(expr)
            finally:
                self._kind_busy.discard(expr)
            self._kind_memo[expr] = result
            return result
        if phase is _Phase.NOT_STARTED:
            self._search_submissions()
            return self.kind_of(expr)
        return self._searching_kind_of(expr)

    def _searching_kind_of(self, expr: cst.CSTNode) -> Optional[Kind]:
        """``kind_of`` while the submissions are searched: the same, and each kind remembers what it
        relied on (the stack of expressions being inferred, or a function's submissions)."""
        known = self._kind_memo.get(expr, _UNKNOWN)
        if known is not _UNKNOWN:
            relied = self._reliance.get(expr)
            if relied is not None:
                self._rely(relied)
            return known
        if expr in self._kind_busy or len(self._kind_busy) > MAX_INFERENCE_DEPTH:
            self._rely((_STACK,))
            return None
        outer = self._swap_relied(None)
        self._kind_busy.add(expr)
        try:
            result = self._kind(expr)
        finally:
            self._kind_busy.discard(expr)
            relied = self._swap_relied(outer)
        if relied is not None:
            self._reliance[expr] = relied
            self._rely(relied)
        self._kind_memo[expr] = result
        return result

    def _swap_relied(self, relied: Optional[set[object]]) -> Optional[set[object]]:
        """Start (or go back to) a kind's record of what it relied on; the record it replaces."""
        previous, self._relied = self._relied, relied
        return previous

    def _rely(self, what: Iterable[object]) -> None:
        """The kind being inferred while searching relies on ``what``."""
        if self._phase is not _Phase.SEARCHING:
            return
        if self._relied is None:
            self._relied = set(what)
        else:
            self._relied.update(what)

    def _kind(self, expr: cst.CSTNode) -> Optional[Kind]:
        if isinstance(expr, cst.Call):
            return self._call_kind(expr)
        if isinstance(expr, cst.Name):
            return self._name_kind(expr)
        if isinstance(expr, cst.Attribute):
            key = self.valueflow.attribute_key(expr)
            return self._attribute_kind(key) if key is not None else self.imported.object_kind(expr)
        if isinstance(expr, cst.Subscript):
            container = self.kind_of(expr.value)
            if container is None:
                return None
            if container.name in (KindName.SEQUENCE, KindName.MAPPING):
                if container.name is KindName.SEQUENCE and _is_slice(expr):
                    return container
                return container.item
            if container.name is KindName.TUPLE and len(expr.slice) == 1:
                index = expr.slice[0].slice
                if isinstance(index, cst.Index) and isinstance(index.value, cst.Integer):
                    position = int(index.value.value)
                    if 0 <= position < len(container.items):
                        return container.items[position]
            return None
        if isinstance(expr, cst.Dict):
            if not expr.elements or not all(isinstance(e, cst.DictElement) for e in expr.elements):
                return None
            item = agree(self.kind_of(e.value) for e in expr.elements)
            return Kind(KindName.MAPPING, item=item) if item is not None else None
        if isinstance(expr, cst.DictComp):
            item = self.kind_of(expr.value)
            return Kind(KindName.MAPPING, item=item) if item is not None else None
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
        # ``procs.append(p)`` with ``for p in procs`` in the same scope: the loop binding gives back
        # what is stored, so it adds nothing to what ``p`` holds where it is stored.
        filling = self.valueflow.stored_into(name)
        kinds: list[Optional[Kind]] = []
        for binding in bindings:
            value = binding.value
            if (
                filling is not None
                and binding.iterates
                and value is not None
                and self.valueflow.key_of(value) == filling
            ):
                continue
            if binding.how is BindingKind.IMPORT:
                kinds.append(self.imported.object_kind(name))
                continue
            if value is not None and value in self._kind_busy:
                # A cycle (``w = Process(); workers.append(w)`` then ``for w in workers``): this
                # binding holds what the others bind; they decide.
                self._rely((_STACK,))
                continue
            if binding.how is BindingKind.ASSIGN and not binding.path and value is not None:
                if is_none(value):
                    continue  # ``x = None`` placeholders do not change what x holds later
                if self.valueflow.is_empty_container(value):
                    kinds.append(self._container_kind(value, LocalVar(scope.node, binding.name)))
                    continue
            kinds.append(self._binding_kind(binding))
        return agree(kinds)

    def _attribute_kind(self, key: SelfAttr) -> Optional[Kind]:
        """The kind of an instance attribute: what every assignment gives it (``None`` placeholders
        aside), a container made empty taking its kind from what is stored into it."""
        if self.valueflow.attribute_assigned_elsewhere(key):
            return None
        kinds: list[Optional[Kind]] = []
        for source in self.valueflow.attribute_sources(key):
            if is_none(source.expr) and not source.path:
                continue
            if (
                not source.path
                and not source.items
                and self.valueflow.is_empty_container(source.expr)
            ):
                kinds.append(self._container_kind(source.expr, key))
                continue
            kinds.append(self._source_kind(source))
        return agree(kinds) if kinds else None

    def _source_kind(self, source: Source) -> Optional[Kind]:
        kind = self.kind_of(source.expr)
        if source.items:
            kind = self._iteration_item(source.expr, kind)
        for index in source.path:
            kind = _item_at(kind, index)
        return kind

    def _container_kind(self, display: cst.BaseExpression, key: VarKey) -> Optional[Kind]:
        """A container made empty (``[]``, ``{}``, ``set()`` …) and filled through the variable
        ``key``: a sequence (or a mapping) of the kind every stored item agrees on."""
        mapping = self.valueflow.is_mapping_display(display)
        stores = [s for s in self.valueflow.stores(key) if s.keyed or not mapping]
        if any(s.expr in self._kind_busy for s in stores):
            self._rely((_STACK,))
            stores = [s for s in stores if s.expr not in self._kind_busy]  # a cycle adds nothing
        if not stores:
            return None
        item = agree(self._source_kind(Source(s.expr, s.path, s.items)) for s in stores)
        if item is None:
            return None
        return Kind(KindName.MAPPING if mapping else KindName.SEQUENCE, item=item)

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
        if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute):
            mapping = self.kind_of(iterable.func.value)
            if mapping is not None and mapping.name is KindName.MAPPING and not iterable.args:
                method = iterable.func.attr.value
                if method == "values":
                    return mapping.item
                if method == "items" and mapping.item is not None:
                    return Kind(KindName.TUPLE, items=(None, mapping.item))
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
        return api_table.annotation_kind(qual) if qual is not None else None

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
        return self._callee_kind(call, call.func, True)

    def _callee_kind(
        self, call: cst.Call, func: cst.BaseExpression, follow: bool
    ) -> Optional[Kind]:
        """The kind of ``call`` when it calls ``func`` (the call's own callee, or a class or factory
        object that callee holds: ``proc_cls = ctx.Process`` … ``proc_cls(target=f)``)."""
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
        imported = self.imported.call_kind(func)
        if imported is not None:  # a factory's object is not made by this call's arguments
            return imported.with_creator(call) if imported.cls is not None else imported
        if isinstance(func, cst.Attribute):
            receiver = self.kind_of(func.value)
            if receiver is not None and receiver.name in (KindName.SEQUENCE, KindName.MAPPING):
                method = func.attr.value
                if method == "pop" or (
                    receiver.name is KindName.MAPPING and method in ("get", "setdefault")
                ):
                    return receiver.item
                return None
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
            if not follow or self.valueflow.attribute_key(func) is None:
                return None
        function = self.names.resolve_function(func)
        if isinstance(function, cst.FunctionDef):
            return self._returned_kind(function)
        if function is not None or not follow or not isinstance(func, (cst.Name, cst.Attribute)):
            return None
        # a class or factory held by a variable, a parameter or an attribute
        sources = self.valueflow.sources(func, params=self.param_sources)  # workers: submissions
        if not sources or any(
            s is func or not isinstance(s, (cst.Name, cst.Attribute)) for s in sources
        ):
            return None
        return agree(self._callee_kind(call, source, False) for source in sources)

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

    @property
    def settled(self) -> bool:
        """The submissions are known: kinds inferred from now on are final (indexes may keep them)."""
        return self._phase is _Phase.SETTLED

    def submissions(self) -> list[Submission]:
        """Every call that hands a callable to a process, thread, pool or executor (B7 roots)."""
        if self._phase is _Phase.NOT_STARTED:
            self._search_submissions()
        if self._phase is _Phase.SEARCHING:
            return []  # asked while searching (a parameter's kind): not known yet
        return self._submissions

    def _search_submissions(self) -> None:
        """Phase one: find the submissions with kinds that know no submission (a parameter's kind then
        comes from its annotation and direct calls only); then forget the kinds that phase two could
        answer otherwise, so that it infers them with the submissions known.

        A kind is kept when nothing it relied on changes: it asked for the submissions of no function
        that turns out to be submitted (phase one answers none; phase two answers the same for the
        others), and it met no expression already being inferred (a cycle's answer depends on where
        it was entered)."""
        self._phase = _Phase.SEARCHING
        try:
            found = list(self._find_submissions())
        except BaseException:
            self._phase = _Phase.NOT_STARTED
            self._kind_memo.clear()
            raise
        finally:
            reliance, self._reliance, self._relied = self._reliance, {}, None
        self._submissions = found
        self._phase = _Phase.SETTLED
        index = self._index_submissions(found)
        for expr, relied in reliance.items():
            if _STACK in relied or not relied.isdisjoint(index):
                del self._kind_memo[expr]

    def _find_submissions(self) -> Iterator[Submission]:
        """The submissions, each callable followed through the value flow to the functions it holds
        (one submission per function reached; the written one stays when some path is unknown)."""
        for submission in self._direct_submissions():
            if submission.via is Via.RUN or self.names.resolve_function(submission.callable):
                yield submission
                continue
            reached, complete = self.valueflow.reached_functions(submission.callable)
            if not complete:
                yield submission  # some of what it holds is not a function of this module
            for expr, site in reached:
                found = replace(submission, callable=expr, through=submission.callable, site=site)
                if site is not None and submission.via in (Via.PROCESS, Via.THREAD):
                    written = call_argument(submission.call, 3, "args")
                    found = replace(
                        found, args=tuple_elements(self.valueflow.bound_at(written, site))
                    )
                yield found

    def _direct_submissions(self) -> Iterator[Submission]:
        for call in self.tree.calls:
            func = call.func
            owner = self.kind_of(call)
            if owner is not None and owner.creator is not call:
                owner = None
            if owner is not None and owner.name in (KindName.PROCESS, KindName.THREAD):
                if owner.cls is not None:
                    info = self.names.classes.get(owner.cls)
                    run = self.names.class_method(info, "run") if info is not None else None
                    facts = self.imported.class_facts(owner) if info is None else None
                    if run is not None or (facts is not None and facts.has_run):
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
        """The submissions whose callable is ``function`` (an index built once, when they settle)."""
        submissions = self.submissions()
        if not self.settled:
            self._rely((function,))  # none while searching: a kind relying on it may change
            return [s for s in submissions if self.names.resolve_function(s.callable) is function]
        return list(self._index_submissions(submissions).get(function, ()))

    def _index_submissions(
        self, submissions: list[Submission]
    ) -> dict[FunctionNode, list[Submission]]:
        """The settled submissions by the function their callable resolves to (built once)."""
        if self._submissions_by_function is None:
            index: dict[FunctionNode, list[Submission]] = {}
            for submission in submissions:
                target = self.names.resolve_function(submission.callable)
                if target is not None:
                    index.setdefault(target, []).append(submission)
            self._submissions_by_function = index
        return self._submissions_by_function

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
                found = bind_argument(param, position, *arguments)
                if found is None:
                    return None
                sources.append(found)
        for call in self.callgraph.calls_to(function):
            found = self.valueflow.call_binds(function, binding, call)
            if found is None:
                return None
            sources.append(found)
        return sources or None

    def _submission_bindings(self, submission: Submission) -> Optional[list[CallSite]]:
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
            positional = literal_elements(
                self.valueflow.bound_at(call_argument(call, 3, "args"), submission.site)
            )
            keywords = literal_keywords(
                self.valueflow.bound_at(call_argument(call, 4, "kwargs"), submission.site)
            )
            sites = [(positional, keywords)] if positional is not None else None
        elif submission.via is Via.INITIALIZER:
            position = 3 if submission.owner.is_executor else 2
            positional = literal_elements(call_argument(call, position, "initargs"))
            sites = [(positional, {})] if positional is not None else None
        elif submission.via is Via.POOL and method in ("apply", "apply_async"):
            positional = literal_elements(
                self.valueflow.bound_at(call_argument(call, 1, "args"), submission.site)
            )
            keywords = literal_keywords(
                self.valueflow.bound_at(call_argument(call, 2, "kwds"), submission.site)
            )
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
