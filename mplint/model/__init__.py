"""The semantic model of one module: what each expression is, where it runs, and in which order.

Built in ONE pass of our own over the libcst tree (:mod:`mplint.model.build`; no libcst metadata
providers: they cost several times the parse). Everything else is derived lazily, part by part, each part
one concept with the parts below it as its only inputs:

====================  ==============================================================================
layer                 parts
====================  ==============================================================================
0                     :mod:`~mplint.model.syntax` (CST readers, no model)
1                     :mod:`~mplint.model.tree` (parents, order, indexes), :mod:`~mplint.model.walk`
2                     :mod:`~mplint.model.names` (scopes, bindings, qualified names, variable keys)
3                     :mod:`~mplint.model.build` (the one pass), :mod:`~mplint.model.flow` (when code
                      runs, dominance, loops), :mod:`~mplint.model.types` (built-in value types),
                      :mod:`~mplint.model.importer` (import spellings for fixes),
                      :mod:`~mplint.model.imported` (names imported from the project's modules)
4                     :mod:`~mplint.model.callgraph`
5                     :mod:`~mplint.model.valueflow` (containers, instance attributes, parameters,
                      returns: where values travel, whatever they are)
6                     :mod:`~mplint.model.inference` (kinds and submissions: the one recursion),
                      :mod:`~mplint.model.slots` (dict slots under constant keys as places)
7                     :mod:`~mplint.model.exceptions`, :mod:`~mplint.model.workers`,
                      :mod:`~mplint.model.values`, :mod:`~mplint.model.startmethod`
8                     :mod:`~mplint.model.pickling`, :mod:`~mplint.model.handoff`,
                      :mod:`~mplint.model.state`
====================  ==============================================================================

``tests/test_layers.py`` holds this order: a part imports only parts of lower layers (annotations
under ``TYPE_CHECKING`` aside) and never this facade.

The specification's building blocks map onto the parts: B1 names, B2 inference (kinds), B3 flow
(dominance), B4 flow (execution context), B5 callgraph, B6 startmethod, B7 workers (the worker set) and
inference (its roots, the submissions).

:class:`Model` builds the parts on first use and answers the queries nearly every rule asks
directly (``model.kind_of``, ``model.qualname`` …); any other fact is asked of its part, by name
(``model.flow.runs_each_iteration(...)``), so that a rule's concepts show where it uses them. Cross-module
facts are unknown (None), and rules stay silent on unknowns, except the facts of names imported from
other modules of the project when the model is built with one (:mod:`~mplint.model.imported`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.kinds import Kind
from mplint.model.build import Builder
from mplint.model.callgraph import CallGraph
from mplint.model.exceptions import Exceptions
from mplint.model.flow import ExecContext, Flow
from mplint.model.handoff import Handoff
from mplint.model.imported import ImportedNames
from mplint.model.importer import Importer
from mplint.model.inference import Inference, Submission, Via
from mplint.model.names import (
    Binding,
    BindingKind,
    ClassInfo,
    LocalVar,
    Names,
    Scope,
    SelfAttr,
    VarKey,
)
from mplint.model.pickling import PickleError, Pickling, pickling_error
from mplint.model.slots import Slots
from mplint.model.startmethod import StartMethodCall, StartMethods, context_family
from mplint.model.state import State, StateWrite, WriteKind
from mplint.model.syntax import (
    MUTATING_METHODS,
    FunctionNode,
    call_argument,
    is_main_guard_test,
    keyword_arg,
    positional_args,
)
from mplint.model.tree import Tree
from mplint.model.types import Types
from mplint.model.valueflow import Dataflow
from mplint.model.values import FlowKind, ValueFlow, Values
from mplint.model.walk import TRIVIA, walk
from mplint.model.workers import Workers

if TYPE_CHECKING:
    from mplint.project import Project

__all__ = [
    "MUTATING_METHODS",
    "TRIVIA",
    "Binding",
    "BindingKind",
    "ClassInfo",
    "ExecContext",
    "FlowKind",
    "FunctionNode",
    "LocalVar",
    "Model",
    "PickleError",
    "Scope",
    "SelfAttr",
    "StartMethodCall",
    "StateWrite",
    "Submission",
    "ValueFlow",
    "VarKey",
    "Via",
    "WriteKind",
    "build_model",
    "call_argument",
    "context_family",
    "is_main_guard_test",
    "keyword_arg",
    "pickling_error",
    "positional_args",
    "walk",
]


class Model:
    """The semantic model of one module. Build it with :func:`build_model`."""

    def __init__(
        self,
        module: cst.Module,
        path: str = "<stdin>",
        default_start_method: Optional[str] = None,
        project: Optional[Project] = None,
    ) -> None:
        self.tree = Tree(module, path, default_start_method)
        self.names = Names(self.tree)
        self.project = project

    @property
    def module(self) -> cst.Module:
        return self.tree.module

    @property
    def path(self) -> str:
        return self.tree.path

    @functools.cached_property
    def flow(self) -> Flow:
        return Flow(self.tree, self.names)

    @functools.cached_property
    def imported(self) -> ImportedNames:
        """Names imported from other modules of the project, answered from their summaries."""
        return ImportedNames(self.tree, self.names, project=self.project)

    @functools.cached_property
    def importer(self) -> Importer:
        return Importer(self.tree, self.names)

    @functools.cached_property
    def types(self) -> Types:
        return Types(self.names)

    @functools.cached_property
    def callgraph(self) -> CallGraph:
        return CallGraph(self.tree, self.names, self.flow)

    @functools.cached_property
    def inference(self) -> Inference:
        return Inference(self.tree, self.names, self.callgraph, self.valueflow, self.imported)

    @functools.cached_property
    def valueflow(self) -> Dataflow:
        return Dataflow(self.tree, self.names, self.callgraph)

    @functools.cached_property
    def slots(self) -> Slots:
        return Slots(self.tree, self.names, self.valueflow)

    @functools.cached_property
    def exceptions(self) -> Exceptions:
        return Exceptions(self.tree, self.names, self.inference)

    @functools.cached_property
    def startmethod(self) -> StartMethods:
        return StartMethods(self.tree, self.names, self.flow, self.callgraph, self.inference)

    @functools.cached_property
    def values(self) -> Values:
        return Values(self.tree, self.names, self.flow, self.inference)

    @functools.cached_property
    def workers(self) -> Workers:
        return Workers(self.tree, self.names, self.callgraph, self.inference)

    @functools.cached_property
    def handoff(self) -> Handoff:
        return Handoff(self.tree, self.names, self.callgraph, self.workers)

    @functools.cached_property
    def pickling(self) -> Pickling:
        return Pickling(
            self.tree,
            self.names,
            self.flow,
            self.callgraph,
            self.inference,
            self.workers,
            self.startmethod,
        )

    @functools.cached_property
    def state(self) -> State:
        return State(self.tree, self.names, self.callgraph, self.inference, self.values)

    # --- the queries nearly every rule asks ---------------------------------------------------------
    def kind_of(self, expr: cst.CSTNode) -> Optional[Kind]:
        """What ``expr`` is known to be, or None."""
        return self.inference.kind_of(expr)

    def qualname(self, expr: cst.BaseExpression) -> Optional[str]:
        """The dotted name ``expr`` stands for, through imports and aliases (``mp.Pool`` -> ``multiprocessing.Pool``); ``builtins.X`` for unbound builtins; None when unknown."""
        return self.names.qualname(expr)

    def lookup(self, name: str, at: cst.CSTNode) -> list[Binding]:
        """The bindings a name at ``at`` may refer to (Python's LEGB rule; class bodies skipped)."""
        return self.names.lookup(name, at)

    def binding_key(self, expr: cst.BaseExpression) -> Optional[VarKey]:
        """A key naming the variable ``expr`` reads: a :class:`LocalVar` or a :class:`SelfAttr`."""
        return self.names.binding_key(expr)

    def method_call(self, call: cst.Call) -> Optional[tuple[Kind, str]]:
        """For ``x.m(...)`` whose receiver ``x`` is of a known kind: that kind and the method ``m``."""
        return self.inference.method_call(call)

    def method_calls_on_known(
        self, method: str
    ) -> Iterator[tuple[cst.Call, cst.BaseExpression, Kind]]:
        """The calls ``x.method(...)`` whose receiver ``x`` is of a known kind, in source order: each
        call with its receiver and the receiver's kind."""
        for call in self.tree.method_calls.get(method, []):
            func = call.func
            assert isinstance(func, cst.Attribute)
            kind = self.inference.kind_of(func.value)
            if kind is not None:
                yield call, func.value, kind

    def calls_on(self, key: VarKey, methods: Iterable[str]) -> list[cst.Call]:
        """Calls ``X.method(...)`` whose receiver is the variable named by ``key``, in source order."""
        return self.names.calls_on(key, methods)

    def submissions(self) -> list[Submission]:
        """Every call that hands a callable to a process, thread, pool or executor (B7 roots)."""
        return self.inference.submissions()

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.tree.parent(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        return self.tree.ancestors(node)

    def contains(self, outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
        return self.tree.contains(outer, inner)

    def precedes(self, a: cst.CSTNode, b: cst.CSTNode) -> bool:
        """``a`` starts before ``b`` in the source."""
        return self.tree.precedes(a, b)

    def statement_of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The innermost statement (simple line or compound) containing ``node``."""
        return self.tree.statement_of(node)

    def small_statement_of(self, node: cst.CSTNode) -> Optional[cst.BaseSmallStatement]:
        return self.tree.small_statement_of(node)

    def enclosing_function_node(self, node: cst.CSTNode) -> Optional[FunctionNode]:
        return self.tree.enclosing_function_node(node)

    def exec_context(self, node: cst.CSTNode) -> ExecContext:
        """When ``node`` runs: at import, under the ``__main__`` guard, when a function is called, never."""
        return self.flow.exec_context(node)

    def dominates(self, a: cst.CSTNode, b: cst.CSTNode) -> bool:
        """Whenever ``b`` runs, ``a`` has run before it in the same function (B3)."""
        return self.flow.dominates(a, b)

    def start_method(self, kind: Optional[Kind]) -> Optional[str]:
        """The start method an object's context uses: explicit, module-wide, or the configured default."""
        return self.startmethod.start_method(kind)


def build_model(
    module: cst.Module,
    path: str = "<stdin>",
    default_start_method: Optional[str] = None,
    opaque: frozenset[cst.CSTNode] = frozenset(),
    project: Optional[Project] = None,
) -> Model:
    """Run the one pass over ``module`` and return its model. Top-level statements in ``opaque`` are left
    out: each is a node of the module (its parent, place and end are known), but nothing in it is
    entered, bound or replayed to the rules (``mplint.incremental`` says which statements that cannot
    change a finding). With ``project``, names imported from other modules of the tree are answered
    from their summaries (``model.imported``)."""
    model = Model(module, path, default_start_method, project)
    Builder(model.tree, model.names, opaque).run(module)
    return model
