"""Computing a module's summary from that module's own model, with the judgements the rules make on one
file (``positional_arity``, ``abrupt_exits``, ``starts_processes`` along the call graph), so that a fact
read from a summary is the fact the rule would find if the code were in the linted file.

Only the module's own model is used: a summary never looks into a third module. The calls a function
makes of names imported from other modules are read from CPython's tree (:mod:`mplint.project.astfacts`),
whichever way the rest is computed, for the project index to follow.
"""

from __future__ import annotations

import ast
import re
from typing import Optional, Union

import libcst as cst

from mplint.kinds import Kind, KindName, agree
from mplint.model import FunctionNode, Model, build_model
from mplint.model.names import BindingKind
from mplint.model.syntax import dotted_name
from mplint.positions import Positions
from mplint.project.astfacts import (
    AnyFunction,
    function_calls,
    function_nodes,
    module_imports,
    mutates_module_state,
    start_guarded,
)
from mplint.project.layout import PROCESS_IMPORT, absolute_module
from mplint.project.summary import (
    CallReader,
    ClassFacts,
    Exit,
    FunctionFacts,
    GlobalWrite,
    ImportedCall,
    KindFacts,
    LocalCall,
    ModuleSummary,
    ObjectFacts,
    Span,
    Start,
)

__all__ = ["calls_reader", "summarize_light", "summarize_text"]


#: The words without which a module has none of the facts that need its model: processes, exits,
#: ``global`` rebinding.
_MODELLED_FACTS = re.compile(
    PROCESS_IMPORT.pattern
    + r"|\b(?:exit|quit|_exit|abort|kill)\(|\bSystemExit\b|\bKeyboardInterrupt\b|^[ \t]*global\b",
    re.MULTILINE,
)
#: A module of threads (it imports ``threading`` or ``queue``) has facts that need its model only
#: with a lock or queue made at module level or returned by a factory, or a ``Thread`` subclass.
_THREAD_IMPORT = re.compile(r"^[ \t]*(?:import|from)[ \t]+(?:threading|queue)\b", re.MULTILINE)
_THREAD_OBJECTS = re.compile(
    r"^(?:\w+[ \t]*(?::[^=\n]*)?=|[ \t]+return\b)[ \t]*[\w.]*\b(?:Lock|RLock|Semaphore"
    r"|BoundedSemaphore|Condition|Event|Barrier|Queue|LifoQueue|PriorityQueue|SimpleQueue)\("
    r"|^class[ \t]+\w+[ \t]*\([^)\n]*\bThread\b",
    re.MULTILINE,
)


def summarize_text(
    path: str,
    module_name: str,
    text: str,
    digest: str,
    default_start_method: Optional[str] = None,
) -> ModuleSummary:
    """The summary of one module's text; an empty one when it cannot be parsed.

    A module without the words its model's facts need (``_MODELLED_FACTS``), and whose functions
    change no module-level variable in place, is summarised from CPython's tree alone (names, arity,
    lambdas, re-exports, calls of imported functions): libcst never parses it."""
    empty = ModuleSummary(module_name, path, digest)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return empty
    names = _AstNames(tree, text, module_name, path.endswith("__init__.py"))
    if (
        not _MODELLED_FACTS.search(text)
        and not (_THREAD_IMPORT.search(text) and _THREAD_OBJECTS.search(text))
        and not mutates_module_state(tree, set(names.variables))
    ):
        return names.summary(module_name, path, digest)
    try:
        module = cst.parse_module(text)
        model = build_model(module, path, default_start_method)
        return _Summarizer(model, text, tree, names, module_name, digest).summary()
    except (RecursionError, cst.ParserSyntaxError):
        return names.summary(module_name, path, digest)


def calls_reader(path: str, module_name: str, text: str) -> CallReader:
    """What reads the calls of the module's functions from ``text`` when one is first asked about
    (for a summary read from the cache directory, which does not keep them)."""
    names: list[_AstNames] = []

    def read(name: str) -> tuple[tuple[ImportedCall, ...], tuple[LocalCall, ...]]:
        if not names:
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                tree = ast.Module(body=[], type_ignores=[])
            names.append(_AstNames(tree, text, module_name, path.endswith("__init__.py")))
        return names[0].calls(name)

    return read


def summarize_light(path: str, module_name: str, text: str, digest: str) -> ModuleSummary:
    """The summary CPython's tree alone gives (names, arity, lambdas, re-exports, calls of imported
    functions; no exits, starts nor writes): what the import-time gate needs of a module whose text
    starts no process itself."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ModuleSummary(module_name, path, digest)
    names = _AstNames(tree, text, module_name, path.endswith("__init__.py"))
    return names.summary(module_name, path, digest)


class _AstNames:
    """The module-level names of CPython's tree: where each is bound (when once), and the facts that
    need no model (arity of plain functions, lambdas, re-exports)."""

    def __init__(self, tree: ast.Module, text: str, module_name: str, is_package: bool) -> None:
        self.tree = tree
        self.module_name = module_name
        self.is_package = is_package
        self.lines = text.splitlines()
        self.spans: dict[str, Span] = {}
        self.counts: dict[str, int] = {}
        self.defs: dict[str, Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]] = {}
        self.classes: list[str] = []
        self.variables: list[str] = []
        self.imports: list[tuple[str, int, Optional[str], str]] = []
        self._imports: Optional[dict[str, str]] = None
        self._calls: dict[str, tuple[tuple[ImportedCall, ...], tuple[LocalCall, ...]]] = {}
        for statement in tree.body:
            self._statement(statement)

    def _statement(self, statement: ast.stmt) -> None:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            column = self._find(statement.lineno, statement.name, statement.col_offset)
            self._bind(statement.name, statement.lineno, column)
            if isinstance(statement, ast.ClassDef):
                self.classes.append(statement.name)
            else:
                self.defs[statement.name] = statement
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    column = self._find(target.lineno, target.id, target.col_offset)
                    self._bind(target.id, target.lineno, column)
                    self.variables.append(target.id)
                    if isinstance(statement.value, ast.Lambda):
                        self.defs[target.id] = statement.value
        elif isinstance(statement, ast.ImportFrom):
            for alias in statement.names:
                if alias.name != "*":
                    local = alias.asname or alias.name
                    self.counts[local] = self.counts.get(local, 0) + 1
                    self.imports.append((local, statement.level, statement.module, alias.name))
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                local = alias.asname or alias.name.partition(".")[0]
                self.counts[local] = self.counts.get(local, 0) + 1

    def _find(self, line: int, name: str, byte_column: int) -> int:
        """The 0-based character column of ``name`` on ``line``, at or after the node's start."""
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        start = len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))
        found = text.find(name, start)
        return found if found >= 0 else start

    def _bind(self, name: str, line: int, column: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1
        self.spans[name] = Span(line, column + 1, line, column + 1 + len(name))

    def once(self, name: str) -> bool:
        return self.counts.get(name) == 1

    def calls(self, name: str) -> tuple[tuple[ImportedCall, ...], tuple[LocalCall, ...]]:
        """The calls of imported names, and of the module's functions, the own body of the top-level
        function ``name`` makes (``astfacts.function_calls``), once per name."""
        try:
            return self._calls[name]
        except KeyError:
            pass
        if self._imports is None:
            once = {n for n, count in self.counts.items() if count == 1}
            self._imports = module_imports(self.tree, self.module_name, self.is_package, once)
        function = self.defs.get(name)
        found: tuple[tuple[ImportedCall, ...], tuple[LocalCall, ...]] = ((), ())
        if self._imports and function is not None and self.once(name):
            defs = {n for n in self.defs if self.once(n)}
            found = function_calls(self.lines, name, function, defs, self._imports)
        self._calls[name] = found
        return found

    def summary(self, module_name: str, path: str, digest: str) -> ModuleSummary:
        is_package = path.endswith("__init__.py")
        functions = tuple(
            FunctionFacts(
                name=name,
                span=self.spans[name],
                arity=_ast_arity(node),
                is_lambda=isinstance(node, ast.Lambda),
                exits=(),
                starts=None,
                writes_globals=(),
            )
            for name, node in self.defs.items()
            if self.once(name)
        )
        reexports = tuple(
            (local, source, name)
            for local, level, written, name in self.imports
            if self.once(local)
            and (source := _source(module_name, is_package, level, written)) is not None
        )
        return ModuleSummary(
            module=module_name,
            path=path,
            digest=digest,
            functions=functions,
            classes=tuple(
                ClassFacts(name, self.spans[name], False, False, None)
                for name in self.classes
                if self.once(name)
            ),
            reexports=reexports,
            variables=tuple(
                name for name in self.variables if self.once(name) and name not in self.defs
            ),
        ).read_calls_with(self.calls)


def _source(current: str, is_package: bool, level: int, written: Optional[str]) -> Optional[str]:
    if level == 0:
        return written
    return absolute_module(current, is_package, level, written)


def _ast_arity(
    node: Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda],
) -> Optional[tuple[int, Optional[int]]]:
    """``positional_arity``'s answer for a module-level function or lambda, from CPython's tree."""
    if not isinstance(node, ast.Lambda):
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Name) or decorator.id not in (
                "staticmethod",
                "classmethod",
            ):
                return None
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    required = len(positional) - len(args.defaults)
    return required, None if args.vararg is not None else len(positional)


class _Summarizer:
    def __init__(
        self,
        model: Model,
        text: str,
        tree: ast.Module,
        names: _AstNames,
        module_name: str,
        digest: str,
    ) -> None:
        self.model = model
        self.names = names
        self.module_name = module_name
        self.digest = digest
        self.tree = tree
        self.positions = Positions(model.module, text, tree, model.tree.parents)
        self.is_package = model.path.endswith("__init__.py")
        self._function_nodes: Optional[dict[str, AnyFunction]] = None

    def span(self, node: cst.CSTNode) -> Span:
        """Where ``node`` is: a module-level name bound once from CPython's tree, anything else by
        generating its statement's code (only the places of facts: exits, starts, writes)."""
        if isinstance(node, cst.Name) and self.names.once(node.value):
            known = self.names.spans.get(node.value)
            if known is not None and self.model.tree.is_module_level(
                self.model.tree.statement_of(node) or node
            ):
                return known
        where = self.positions.range(node)
        return Span(where.start.line, where.start.column + 1, where.end.line, where.end.column + 1)

    def summary(self) -> ModuleSummary:
        objects = tuple(self._objects())
        return ModuleSummary(
            module=self.module_name,
            path=self.model.path,
            digest=self.digest,
            functions=tuple(self._functions()),
            classes=tuple(self._classes()),
            objects=objects,
            reexports=tuple(self._reexports()),
            variables=tuple(self._variables({o.name for o in objects})),
        ).read_calls_with(self.names.calls)

    # --- functions -----------------------------------------------------------------------------------
    def _functions(self) -> list[FunctionFacts]:
        from mplint.rules.worker_abrupt_exit import raises_by_scope

        model = self.model
        raises = raises_by_scope(model)
        out: list[FunctionFacts] = []
        for name, bindings in model.names.module_scope.bindings.items():
            if len(bindings) != 1:
                continue  # rebound: which one an importer gets is not known here
            binding = bindings[0]
            function: Optional[FunctionNode] = None
            if binding.how is BindingKind.DEF and isinstance(binding.node, cst.FunctionDef):
                function = binding.node
                where: cst.CSTNode = binding.node.name
            elif binding.how is BindingKind.ASSIGN and isinstance(binding.value, cst.Lambda):
                function = binding.value
                where = binding.node
            if function is None:
                continue
            out.append(self._function(name, function, where, raises))
        return out

    def _function(
        self,
        name: str,
        function: FunctionNode,
        where: cst.CSTNode,
        raises: dict[cst.CSTNode, list[cst.Raise]],
    ) -> FunctionFacts:
        from mplint.rules._helpers import positional_arity
        from mplint.rules.child_state_not_propagated import (
            hands_over_arguments,
            shared_on_purpose,
        )
        from mplint.rules.worker_abrupt_exit import abrupt_exits

        model = self.model
        reference = function.name if isinstance(function, cst.FunctionDef) else function
        exits: list[Exit] = []
        written: list[GlobalWrite] = []
        for reached in model.callgraph.reachable_functions(function):
            owner = _name(reached)
            for node, how in abrupt_exits(model, reached, raises.get(reached, [])):
                exits.append(Exit(self.span(node), _code(model, node), how, owner))
            for node, variable, how in model.state.module_state_writes(reached):
                if how == "rebind" and hands_over_arguments(model, reached, node):
                    continue
                if shared_on_purpose(model, variable):
                    continue
                code = _code(model, node)
                written.append(GlobalWrite(variable, how, self.span(node), code, owner))
        return FunctionFacts(
            name=name,
            span=self.span(where),
            arity=positional_arity(model, reference),
            is_lambda=isinstance(function, cst.Lambda),
            exits=tuple(exits),
            starts=self._starts(function),
            writes_globals=tuple(written),
            returns=self._returns(function),
        )

    def _returns(self, function: FunctionNode) -> Optional[KindFacts]:
        """The kind every ``return`` of a factory gives (a lambda's body), as the model infers a call
        of it in its own module."""
        model = self.model
        if isinstance(function, cst.Lambda):
            return kind_facts(model.kind_of(function.body))
        returns = model.inference.own_returns(function)
        if not returns or any(r.value is None for r in returns):
            return None
        return kind_facts(agree(model.kind_of(r.value) for r in returns if r.value is not None))

    def _starts(self, function: FunctionNode) -> Optional[Start]:
        model = self.model
        found: dict[FunctionNode, tuple[cst.Call, str, Kind]] = {}

        def starts(candidate: FunctionNode) -> bool:
            hit = model.workers.starts_processes(candidate)
            if hit is None:
                return False
            found[candidate] = hit
            return True

        chain = model.callgraph.call_chain(function, starts)
        if chain is None:
            return None
        call, description, kind = found[chain[-1]]
        checked = model.exceptions.expects_exception(call, "AssertionError") or any(
            model.enclosing_function_node(use) in chain for use in model.tree.name_uses("daemon")
        )
        span = self.span(call)
        names = tuple(_name(f) for f in chain)
        return Start(
            span,
            description,
            names,
            model.start_method(kind),
            kind.process_library,
            bool(checked),
            guarded=start_guarded(self._ast_functions(), names, self.names.lines, span),
        )

    def _ast_functions(self) -> dict[str, AnyFunction]:
        """The functions of CPython's tree by name (``astfacts.function_nodes``), once."""
        if self._function_nodes is None:
            self._function_nodes = function_nodes(self.tree)
        return self._function_nodes

    # --- classes and objects -------------------------------------------------------------------------
    def _classes(self) -> list[ClassFacts]:
        from mplint.rules._helpers import lineage_methods
        from mplint.rules.process_subclass_no_super_init import base_init_calls

        model = self.model
        out: list[ClassFacts] = []
        for name, info in model.names.classes.items():
            if not model.tree.is_module_level(info.node):
                continue
            base = model.inference.class_base_kind(info)
            init = info.methods.get("__init__")
            calls = base_init_calls(model, init) if init is not None else None
            methods, self_calls = lineage_methods(model, info)
            out.append(
                ClassFacts(
                    name=name,
                    span=self.span(info.node.name),
                    process_subclass=base is not None and base.is_process,
                    has_run=model.names.class_method(info, "run") is not None,
                    init_calls_super=None if init is None or calls is None else bool(calls),
                    base=kind_facts(base),
                    methods=tuple(sorted(methods)),
                    self_calls=tuple(sorted(self_calls)),
                )
            )
        return out

    def _objects(self) -> list[ObjectFacts]:
        model = self.model
        out: list[ObjectFacts] = []
        for name, bindings in model.names.module_scope.bindings.items():
            if len(bindings) != 1:
                continue
            binding = bindings[0]
            if binding.how is not BindingKind.ASSIGN or binding.value is None or binding.path:
                continue
            kind = kind_facts(model.kind_of(binding.value))
            if kind is not None:
                out.append(ObjectFacts(name, self.span(binding.node), kind))
        return out

    def _variables(self, objects: set[str]) -> list[str]:
        model = self.model
        return [
            name
            for name, bindings in model.names.module_scope.bindings.items()
            if all(b.how in (BindingKind.ASSIGN, BindingKind.ANNOTATION) for b in bindings)
            and not any(isinstance(b.value, cst.Lambda) for b in bindings)
            and name not in objects
        ]

    def _reexports(self) -> list[tuple[str, str, str]]:
        model = self.model
        out: list[tuple[str, str, str]] = []
        for name, bindings in model.names.module_scope.bindings.items():
            if len(bindings) != 1 or bindings[0].how is not BindingKind.IMPORT:
                continue
            alias = bindings[0].node
            statement = model.parent(alias)
            if not isinstance(alias, cst.ImportAlias) or not isinstance(statement, cst.ImportFrom):
                continue
            if not isinstance(alias.name, cst.Name):
                continue
            source = self._from_module(statement)
            if source is not None:
                out.append((name, source, alias.name.value))
        return out

    def _from_module(self, statement: cst.ImportFrom) -> Optional[str]:
        written = dotted_name(statement.module) if statement.module is not None else None
        level = len(statement.relative)
        if level == 0:
            return written
        return absolute_module(self.module_name, self.is_package, level, written)


#: Kinds a summary does not keep: containers (their items' kinds are not kept) and a ``Pipe()``'s pair.
_CONTAINERS = frozenset({KindName.SEQUENCE, KindName.TUPLE, KindName.MAPPING, KindName.PIPE})


def kind_facts(kind: Optional[Kind]) -> Optional[KindFacts]:
    """A kind as a summary keeps it; None for no kind, for containers, and for an instance of a class
    of the module (its own methods may change what it does)."""
    if kind is None or kind.name in _CONTAINERS or kind.cls is not None:
        return None
    return KindFacts(kind.name.value, kind.family, kind.method, kind.proxy)


def _name(function: FunctionNode) -> str:
    return function.name.value if isinstance(function, cst.FunctionDef) else "<lambda>"


def _code(model: Model, node: cst.CSTNode) -> str:
    text = " ".join(model.module.code_for_node(node).split())
    return text if len(text) <= 40 else text[:37] + "..."
