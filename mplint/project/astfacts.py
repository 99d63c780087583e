"""Facts of a module read from CPython's tree alone (no model, no libcst): what the project index needs
of modules it only glances at.

- :func:`import_time`: the imports a module makes and the names it calls when it is imported (module
  level, in ``if``/``try``/``with``/loop blocks and class bodies too; not in function bodies);
- :func:`function_calls`: the calls a top-level function's own body makes of names imported from
  other modules and of the module's functions (read when the function is asked about);
- :func:`mutates_module_state`: whether a function may change a module-level variable in place
  (``results.append(x)``, ``cache[k] = v``), which only the model can judge.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Container, Iterator
from typing import Optional, Union

from mplint.project.layout import absolute_module, in_tree_candidate
from mplint.project.summary import RAISED_EXITS, ImportedCall, LocalCall, Span

__all__ = [
    "function_calls",
    "function_nodes",
    "import_time",
    "mutates_module_state",
    "span_of",
    "start_guarded",
]

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_SCOPES = (*_FUNCTIONS, ast.ClassDef)
AnyFunction = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]


def span_of(lines: list[str], node: ast.expr) -> Span:
    """The span of ``node`` in character columns (CPython counts UTF-8 bytes), 1-based."""

    def column(line: int, offset: int) -> int:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return len(text.encode("utf-8")[:offset].decode("utf-8", "replace")) + 1

    end_line = node.end_lineno or node.lineno
    end_offset = node.end_col_offset if node.end_col_offset is not None else node.col_offset
    return Span(
        node.lineno, column(node.lineno, node.col_offset), end_line, column(end_line, end_offset)
    )


# --- what runs at import ----------------------------------------------------------------------------
def _import_time_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes under ``node`` that run when the module is imported: all but function bodies (their
    decorators, defaults and annotations do run)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(current.decorator_list)
            stack.extend(_argument_defaults(current.args))
            continue
        if isinstance(current, ast.Lambda):
            stack.extend(_argument_defaults(current.args))
            continue
        stack.extend(ast.iter_child_nodes(current))


def _argument_defaults(args: ast.arguments) -> list[ast.expr]:
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


def import_time(tree: ast.Module) -> tuple[list[tuple[int, str, str]], set[str]]:
    """(level, module, local name) of the imports that run when the module is imported (for
    ``from M import a`` also ``M.a``: it may be a submodule), and the names whose attributes or selves
    are called then (``f()``, ``x = m.f()``, inside ``if``, ``try``, ``with`` blocks and class bodies
    too)."""
    bindings, calls = import_time_bindings(tree)
    imports: list[tuple[int, str, str]] = []
    for level, module, base, local in bindings:
        imports.append((level, module, local))
        if len(base) > len(module):  # ``from M import n``: ``M.n`` may be a submodule
            imports.append((level, base, local))
    return imports, {parts[0] for parts in calls}


def import_time_bindings(
    tree: ast.Module,
) -> tuple[list[tuple[int, str, str, str]], list[list[str]]]:
    """What runs when the module is imported: its imports as (level, the module imported, what the
    local name stands for — ``a`` for ``import a.b``, ``a.b`` for ``import a.b as c``, ``M.n`` for
    ``from M import n``, relative to ``level`` dots —, the local name), and the dotted names called
    (``["m", "f"]`` for ``m.f()``)."""
    bindings: list[tuple[int, str, str, str]] = []
    calls: list[list[str]] = []
    for node in _import_time_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.partition(".")[0]
                if alias.asname is not None:
                    bindings.append((0, alias.name, alias.name, alias.asname))
                else:
                    bindings.append((0, alias.name, top, top))
        elif isinstance(node, ast.ImportFrom):
            written = node.module or ""
            for alias in node.names:
                if alias.name != "*":
                    full = f"{written}.{alias.name}" if written else alias.name
                    bindings.append((node.level, written, full, alias.asname or alias.name))
        elif isinstance(node, ast.Call):
            parts = _dotted(node.func)
            if parts is not None:
                calls.append(parts)
    return bindings, calls


def _dotted(expr: ast.expr) -> Optional[list[str]]:
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return parts[::-1]


# --- calls of imported functions --------------------------------------------------------------------
def module_imports(
    tree: ast.Module, module_name: str, is_package: bool, once: set[str]
) -> dict[str, str]:
    """Local name -> the absolute dotted name a top-level import binds it to, for the names in
    ``once`` (bound once in the module)."""
    out: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname is not None:
                    out[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    out[top] = top
        elif isinstance(statement, ast.ImportFrom):
            if statement.level:
                source = absolute_module(module_name, is_package, statement.level, statement.module)
            else:
                source = statement.module
            if source is None:
                continue
            for alias in statement.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = f"{source}.{alias.name}"
    return {local: name for local, name in out.items() if local in once}


def function_calls(
    lines: list[str],
    name: str,
    function: AnyFunction,
    defs: Container[str],
    imports: dict[str, str],
) -> tuple[tuple[ImportedCall, ...], tuple[LocalCall, ...]]:
    """The calls of the own body of the top-level function ``name`` of the names of ``imports``
    (local name -> absolute dotted name) that may name a module of the tree, and of the functions
    ``defs`` names by name, in order (``ModuleSummary.function`` follows the latter)."""
    local_names = _local_names(function)
    imported: list[ImportedCall] = []
    local: list[LocalCall] = []
    for call, caught, guarded in _own_calls(function):
        parts = _dotted(call.func)
        if parts is None or parts[0] in local_names:
            continue
        if parts[0] in imports:
            qualname = ".".join([imports[parts[0]], *parts[1:]])
            if in_tree_candidate(qualname) and "." in qualname:
                escapes = tuple(e for e in RAISED_EXITS if e not in caught)
                span = span_of(lines, call)
                imported.append(ImportedCall(qualname, span, (name,), escapes, guarded))
        elif len(parts) == 1 and parts[0] in defs:
            local.append(LocalCall(parts[0], tuple(sorted(caught)), guarded))
    return tuple(imported), tuple(local)


def _local_names(function: AnyFunction) -> set[str]:
    """The names a function binds itself (parameters, assignments, imports, nested definitions),
    which hide the module's."""
    args = function.args
    names = {
        a.arg
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
        if a is not None
    }
    if isinstance(function, ast.Lambda):
        return names
    declared: set[str] = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).partition(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler):
            names.update([node.name] if node.name else [])
    return names - declared


def _own_nodes(function: AnyFunction) -> Iterator[ast.AST]:
    """The nodes of a function's own body (nested functions, lambdas and classes appear, their
    insides do not)."""
    body: list[ast.AST] = (
        [function.body] if isinstance(function, ast.Lambda) else list(function.body)
    )
    stack = body[::-1]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, _SCOPES):
            continue
        stack.extend(list(ast.iter_child_nodes(current))[::-1])


def _own_calls(function: AnyFunction) -> Iterator[tuple[ast.Call, frozenset[str], bool]]:
    """The calls of a function's own body, in order, each with the exits (of ``RAISED_EXITS``) a
    ``try`` around it in the function may catch, and whether it is guarded by a test of one of the
    function's parameters (see :func:`_children`)."""
    args = function.args
    params = frozenset(
        a.arg
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
        if a is not None
    )
    if isinstance(function, ast.Lambda):
        stack: list[_Visit] = [(function.body, frozenset(), False)]
    else:
        stack = _block(function.body, frozenset(), False, params)[::-1]
    while stack:
        current, caught, guarded = stack.pop()
        if isinstance(current, ast.Call):
            yield current, caught, guarded
        if isinstance(current, _SCOPES):
            continue
        stack.extend(_children(current, caught, guarded, params)[::-1])


#: A node to visit, with the exits a ``try`` around it catches and whether a parameter guards it.
_Visit = tuple[ast.AST, frozenset[str], bool]


def _children(
    node: ast.AST, caught: frozenset[str], guarded: bool, params: frozenset[str]
) -> list[_Visit]:
    """The children of ``node``, in order: the body of a ``try`` with what its handlers catch; the
    branches of an ``if``, a ``while`` or a conditional expression whose test reads a parameter, the
    operands of ``and``/``or`` after one that does, and the statements after an ``if`` on a parameter
    that leaves the block (``return``, ``raise``, ``continue``, ``break``), as guarded."""
    if isinstance(node, (ast.If, ast.While, ast.IfExp)):
        inner = guarded or _reads(node.test, params)
        if isinstance(node, ast.IfExp):
            return [
                (node.test, caught, guarded),
                (node.body, caught, inner),
                (node.orelse, caught, inner),
            ]
        return [
            (node.test, caught, guarded),
            *_block(node.body, caught, inner, params),
            *_block(node.orelse, caught, inner, params),
        ]
    if isinstance(node, ast.BoolOp):
        out: list[_Visit] = []
        for value in node.values:
            out.append((value, caught, guarded))
            guarded = guarded or _reads(value, params)
        return out
    if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
        inner_caught = caught | _handlers_catch(node.handlers)  # type: ignore[attr-defined]
        return [
            *_block(node.body, inner_caught, guarded, params),  # type: ignore[attr-defined]
            *((h, caught, guarded) for h in node.handlers),  # type: ignore[attr-defined]
            *_block(node.orelse, caught, guarded, params),  # type: ignore[attr-defined]
            *_block(node.finalbody, caught, guarded, params),  # type: ignore[attr-defined]
        ]
    out = []
    for _, value in ast.iter_fields(node):
        if isinstance(value, list):
            if value and isinstance(value[0], ast.stmt):
                out.extend(_block(value, caught, guarded, params))
            else:
                out.extend((v, caught, guarded) for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            out.append((value, caught, guarded))
    return out


def _block(
    statements: list[ast.stmt], caught: frozenset[str], guarded: bool, params: frozenset[str]
) -> list[_Visit]:
    """The statements of a block; those after an ``if`` on a parameter that leaves the block are
    guarded."""
    out: list[_Visit] = []
    for statement in statements:
        out.append((statement, caught, guarded))
        if (
            not guarded
            and isinstance(statement, ast.If)
            and (_leaves(statement.body) or _leaves(statement.orelse))
            and _reads(statement.test, params)
        ):
            guarded = True
    return out


def _leaves(statements: list[ast.stmt]) -> bool:
    return bool(statements) and isinstance(
        statements[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break)
    )


def _reads(expr: ast.AST, params: frozenset[str]) -> bool:
    """``expr`` reads one of the parameters ``params``."""
    return bool(params) and any(
        isinstance(node, ast.Name) and node.id in params for node in ast.walk(expr)
    )


def start_guarded(
    functions: dict[str, AnyFunction], chain: tuple[str, ...], lines: list[str], span: Span
) -> bool:
    """Whether the start of processes at ``span`` in the last function of ``chain`` (names of the
    module's functions, the caller first: ``Start.chain``), or every call of the next function of
    the chain in one of them, is guarded by a test of a parameter of the function that holds it
    (:func:`_own_calls`). A function or call not found here (a lambda, a name bound twice, a call
    through a variable) guards nothing."""
    for caller, callee in zip(chain, chain[1:]):
        function = functions.get(caller)
        if function is None:
            continue
        guards = [
            guarded
            for call, _, guarded in _own_calls(function)
            if _called_name(call.func) == callee
        ]
        if guards and all(guards):
            return True
    holder = functions.get(chain[-1]) if chain else None
    if holder is None:
        return False
    return any(
        guarded
        for call, _, guarded in _own_calls(holder)
        if call.lineno == span.line and span_of(lines, call) == span
    )


def _called_name(func: ast.expr) -> Optional[str]:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def function_nodes(tree: ast.Module) -> dict[str, AnyFunction]:
    """The functions of the module's top level and the methods of its top-level classes by name,
    a name defined more than once left out."""
    found: dict[str, AnyFunction] = {}
    twice: set[str] = set()
    for statement in tree.body:
        members = statement.body if isinstance(statement, ast.ClassDef) else [statement]
        for node in members:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name in found:
                    twice.add(node.name)
                found[node.name] = node
    return {name: node for name, node in found.items() if name not in twice}


def _handlers_catch(handlers: list[ast.ExceptHandler]) -> frozenset[str]:
    """The exits of ``RAISED_EXITS`` some handler may catch: a bare ``except``, ``BaseException``,
    the exit itself, or a class that is not a built-in exception (it may be an alias of them)."""
    caught: set[str] = set()
    for handler in handlers:
        types = handler.type
        elements = types.elts if isinstance(types, ast.Tuple) else [types]
        for element in elements:
            name = _class_name(element) if element is not None else None
            if name is None or name == "BaseException":
                return frozenset(RAISED_EXITS)
            if name in RAISED_EXITS:
                caught.add(name)
            elif not _builtin_exception(name):
                return frozenset(RAISED_EXITS)
    return frozenset(caught)


def _class_name(expr: ast.expr) -> Optional[str]:
    if isinstance(expr, ast.Name):
        return expr.id
    if (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and expr.value.id == "builtins"
    ):
        return expr.attr
    return None


def _builtin_exception(name: str) -> bool:
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)


# --- module state -----------------------------------------------------------------------------------
def mutates_module_state(tree: ast.Module, variables: set[str]) -> bool:
    """Whether some function or method of the module may change one of the module-level
    ``variables`` in place: ``name.<mutating method>(…)``, ``name[k] = …``, ``name[k] += …`` or
    ``del name[k]`` (a cheap superset of what the model's ``module_state_writes`` finds)."""
    from mplint.model.syntax import MUTATING_METHODS

    if not variables:
        return False
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr in MUTATING_METHODS
                and isinstance(inner.func.value, ast.Name)
                and inner.func.value.id in variables
            ):
                return True
            if (
                isinstance(inner, ast.Subscript)
                and isinstance(inner.ctx, (ast.Store, ast.Del))
                and isinstance(inner.value, ast.Name)
                and inner.value.id in variables
            ):
                return True
    return False
