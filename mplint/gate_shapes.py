"""Shapes of code the thread-capable rules report, read from CPython's tree for their gates.

A file that imports ``threading`` but no library of processes can still hold a finding of the rules that
also judge threads (``Thread(target=work())``, a thread started twice …). Most such files create threads
correctly; these facts tell the gates whether a file holds the shape a rule reports at all, so that the
others cost only their CPython tree. Each fact over-approximates its rule's condition: where a spelling
could hide the shape (a receiver that is not a plain name or attribute chain, a callee that is not
spelled, a comprehension, a nested scope), it counts as present.

Thread classes are followed through the names that may denote them: ``Thread`` itself, an import alias,
a name assigned from an expression that mentions one of them, a class derived from one of them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from typing import Optional, Union

__all__ = [
    "DAEMON_AFTER_START",
    "QUEUE_EXCEPTION",
    "SHAPES",
    "START_AGAIN",
    "THREAD_ARGS",
    "THREAD_SUBCLASS",
    "THREAD_TARGET",
    "UNSTARTED_JOIN_OR_RUN",
    "shapes_of",
]

#: A ``Thread`` call with a positional argument (``group`` comes first), or ``target=`` given a call.
THREAD_TARGET = "thread-target"
#: A ``Thread`` call with ``args=`` not a tuple or list display, ``kwargs=`` not a dict display, or four
#: positional arguments.
THREAD_ARGS = "thread-args"
#: ``x.start()`` twice on one receiver in one scope, or in a loop that does not rebind the receiver.
START_AGAIN = "start-again"
#: ``x.join()`` with no ``x.start()`` since ``x`` was last bound in the scope, or ``x.run()`` with no
#: ``x.start()`` in the scope.
UNSTARTED_JOIN_OR_RUN = "unstarted-join-or-run"
#: ``x.daemon = ...`` after an ``x.start()`` of the same scope.
DAEMON_AFTER_START = "daemon-after-start"
#: A class derived from a thread class that defines ``__init__`` or ``start`` (or a dataclass hook), or
#: has a decorator.
THREAD_SUBCLASS = "thread-subclass"
#: An ``except`` naming ``Empty``/``Full`` other than as ``queue.Empty`` (or a name imported from
#: ``queue``), or naming only one of them around a ``put``/``get`` that raises the other.
QUEUE_EXCEPTION = "queue-exception"

SHAPES = frozenset(
    {
        THREAD_TARGET,
        THREAD_ARGS,
        START_AGAIN,
        UNSTARTED_JOIN_OR_RUN,
        DAEMON_AFTER_START,
        THREAD_SUBCLASS,
        QUEUE_EXCEPTION,
    }
)

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = frozenset({*_FUNCTIONS, ast.ClassDef, *_COMPREHENSIONS})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that may hold nodes (not its expression context)."""
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = tuple(f for f in getattr(kind, "_fields", ()) if f != "ctx")
    return fields


_SUBCLASS_HOOKS = frozenset({"__init__", "start", "__post_init__", "__attrs_post_init__"})
_QUEUE_MODULES = frozenset({"queue", "_queue"})
_PUTS = frozenset({"put", "put_nowait"})
_GETS = frozenset({"get", "get_nowait"})

Position = tuple[int, int]
#: A scope: the node of the function, class or comprehension (None: the module).
Scope = Optional[ast.AST]


def _dump(node: ast.AST) -> Optional[str]:
    """``a.b.c`` for a name or an attribute chain on a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dump(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


def _terminal(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _names_in(node: ast.AST) -> set[str]:
    return {
        n.id if isinstance(n, ast.Name) else n.attr
        for n in ast.walk(node)
        if isinstance(n, (ast.Name, ast.Attribute))
    }


def _denoted(value: ast.expr) -> set[str]:
    """The names a value may denote as itself (not the result of calling it): ``Thread``,
    ``threading.Thread``, ``A if c else B``, ``A or B``, ``functools.partial(A, ...)``."""
    if isinstance(value, (ast.Name, ast.Attribute)):
        return {_terminal(value) or ""}
    if isinstance(value, ast.IfExp):
        return _denoted(value.body) | _denoted(value.orelse)
    if isinstance(value, ast.BoolOp):
        return set().union(*(_denoted(v) for v in value.values))
    if isinstance(value, ast.NamedExpr):
        return _denoted(value.value)
    if isinstance(value, ast.Call) and _terminal(value.func) == "partial" and value.args:
        return _denoted(value.args[0])
    return set()


def _position(node: Union[ast.expr, ast.stmt]) -> Position:
    return (node.lineno, node.col_offset)


class _Reader:
    """One walk of the tree, recording what the shapes are decided from."""

    def __init__(self) -> None:
        self.calls: list[tuple[ast.Call, Scope, tuple[ast.AST, ...]]] = []
        self.stores: dict[tuple[Scope, str], list[Position]] = defaultdict(list)
        # assignments: the value, or None where a target unpacks it
        self.bindings: dict[tuple[Scope, str], list[tuple[Position, Optional[ast.expr]]]] = (
            defaultdict(list)
        )
        self.daemon_stores: list[tuple[Optional[str], Scope, Position]] = []
        # (bound name, the names its value may denote): a class spelled by another name
        self.aliases: list[tuple[str, set[str]]] = []
        # name (or attribute) -> the values assigned to it anywhere (None: unpacked)
        self.values: dict[str, list[Optional[ast.expr]]] = defaultdict(list)
        self.classes: list[ast.ClassDef] = []
        self.tries: list[Union[ast.Try, ast.AST]] = []
        self.from_queue: set[str] = set()
        self.comprehension_scopes: set[int] = set()
        self.params: set[str] = set()
        self.functions: set[str] = set()

    def walk(self, tree: ast.AST) -> None:
        """Every node once, iteratively, knowing its scope and the loops around it in that scope."""
        stack: list[tuple[ast.AST, Scope, tuple[ast.AST, ...]]] = [(tree, None, ())]
        pop, push = stack.pop, stack.append
        while stack:
            node, scope, loops = pop()
            for name in _child_fields(type(node)):
                value = getattr(node, name, None)
                if value is None:
                    continue
                for child in value if type(value) is list else (value,):
                    kind = type(child)
                    if kind is ast.Name or kind is ast.Attribute:
                        if type(child.ctx) is ast.Store:
                            self._store(child, scope)
                        if kind is ast.Name:
                            continue  # a leaf
                    elif kind is ast.Constant or kind is str or child is None:
                        continue
                    elif kind is ast.Call:
                        self.calls.append((child, scope, loops))
                    elif kind is ast.Assign or kind is ast.AnnAssign or kind is ast.NamedExpr:
                        self._alias(child, scope)
                    elif kind is ast.ImportFrom or kind is ast.Import:
                        self._import(child)
                    elif kind is ast.arg:
                        self.params.add(child.arg)
                        if child.annotation is not None:
                            self.values[child.arg].append(None)
                    elif kind is ast.Try or kind.__name__ == "TryStar":
                        self.tries.append(child)
                    if kind in _SCOPES:
                        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                            self.functions.add(child.name)
                        if kind is ast.ClassDef:
                            self.classes.append(child)
                        elif kind in _COMPREHENSIONS:
                            self.comprehension_scopes.add(id(child))
                        push((child, child, ()))
                    elif kind in _LOOPS:
                        push((child, scope, (*loops, child)))
                    else:
                        push((child, scope, loops))

    def _store(self, node: Union[ast.Name, ast.Attribute], scope: Scope) -> None:
        dumped = _dump(node)
        if dumped is not None:
            self.stores[(scope, dumped)].append(_position(node))
        if isinstance(node, ast.Attribute) and node.attr == "daemon":
            self.daemon_stores.append((_dump(node.value), scope, _position(node)))

    def _alias(self, node: ast.AST, scope: Scope) -> None:
        value = getattr(node, "value", None)
        if value is None:
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore[attr-defined]
        denoted = _denoted(value)
        for target in targets:
            dumped = _dump(target)
            if dumped is not None:
                self.bindings[(scope, dumped)].append((_position(target), value))
                self.values[_terminal(target) or dumped].append(value)
                if denoted:
                    self.aliases.append((_terminal(target) or dumped, denoted))
                continue
            for bound in ast.walk(target):  # unpacking: each name may get anything
                inner = _dump(bound) if isinstance(bound, (ast.Name, ast.Attribute)) else None
                if inner is not None:
                    self.bindings[(scope, inner)].append((_position(bound), None))  # type: ignore[arg-type]
                    self.values[_terminal(bound) or inner].append(None)
                    self.aliases.append((_terminal(bound) or inner, _names_in(value)))

    def _import(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names:
            if alias.asname:
                self.aliases.append((alias.asname, {alias.name.rpartition(".")[2]}))
        if isinstance(node, ast.ImportFrom) and node.module in ("queue", "_queue"):
            self.from_queue.update(alias.asname or alias.name for alias in node.names)


def shapes_of(tree: ast.Module) -> frozenset[str]:
    """The shapes present in the file (every shape when the tree is too deep to read here)."""
    try:
        return _shapes(tree)
    except RecursionError:  # the helpers recurse over deeply nested expressions
        return SHAPES


def _shapes(tree: ast.Module) -> frozenset[str]:
    reader = _Reader()
    reader.walk(tree)
    found: set[str] = set()
    threads = _thread_names(reader)
    _thread_calls(reader, threads, found)
    _receivers(reader, threads, found)
    if any(_is_thread_subclass(c, threads) for c in reader.classes):
        found.add(THREAD_SUBCLASS)
    if any(_queue_exception(t, reader.from_queue) for t in reader.tries):
        found.add(QUEUE_EXCEPTION)
    return frozenset(found)


def _thread_names(reader: _Reader) -> set[str]:
    names = {"Thread"}
    changed = True
    while changed:
        changed = False
        for bound, mentioned in reader.aliases:
            if bound not in names and not mentioned.isdisjoint(names):
                names.add(bound)
                changed = True
        for cls in reader.classes:
            if cls.name not in names and any(not _names_in(b).isdisjoint(names) for b in cls.bases):
                names.add(cls.name)
                changed = True
    return names


def _thread_calls(reader: _Reader, threads: set[str], found: set[str]) -> None:
    values = reader.values
    # a subclass with its own ``__init__`` takes its own parameters: the rules leave its calls alone
    own_init: dict[str, bool] = {}
    for cls in reader.classes:
        defines = any(
            isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "__init__"
            for s in cls.body
        )
        own_init[cls.name] = own_init.get(cls.name, True) and defines
    for call, _, _ in reader.calls:
        callee = _terminal(call.func)
        if callee is None:
            if _names_in(call.func).isdisjoint(threads):
                continue  # ``f()(x)``, ``table[k](x)``: a thread class would be named in there
        elif callee not in threads or own_init.get(callee, False):
            continue
        positional = list(call.args)
        keywords = {k.arg: k.value for k in call.keywords}
        if None in keywords or any(isinstance(a, ast.Starred) for a in positional):
            found.update((THREAD_TARGET, THREAD_ARGS))  # ``*args`` / ``**kwargs``: anything
            continue
        first_is_none = bool(positional) and _is_none(positional[0])
        if (positional and not first_is_none) or any(
            isinstance(value, ast.Call) for value in (keywords.get("target"), *positional[1:2])
        ):
            found.add(THREAD_TARGET)
        args, kwargs = keywords.get("args"), keywords.get("kwargs")
        if (
            len(positional) >= 4
            or (args is not None and _may_not_be(args, (ast.Tuple, ast.List), values))
            or (kwargs is not None and _may_not_be(kwargs, (ast.Dict,), values))
        ):
            found.add(THREAD_ARGS)


def _may_not_be(
    value: ast.expr,
    displays: tuple[type[ast.expr], ...],
    values: dict[str, list[Optional[ast.expr]]],
) -> bool:
    """``value`` may be something else than one of ``displays``: it is not one, and if it is a plain
    name, that name is assigned something else somewhere (a parameter, a loop variable: not known)."""
    if isinstance(value, displays):
        return False
    if isinstance(value, ast.Name):
        return any(v is None or not isinstance(v, displays) for v in values.get(value.id, []))
    return True


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _receivers(reader: _Reader, threads: set[str], found: set[str]) -> None:
    starts: dict[tuple[Scope, str], list[Position]] = defaultdict(list)
    for call, scope, loops in reader.calls:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr != "start":
            continue
        receiver = _dump(func.value)
        if receiver is None or id(scope) in reader.comprehension_scopes:
            found.add(START_AGAIN)
            continue
        starts[(scope, receiver)].append(_position(call))
        if loops and receiver not in _bound_in(loops[-1]):
            found.add(START_AGAIN)
    for (scope, receiver), positions in starts.items():
        stores = reader.stores.get((scope, receiver), [])
        ordered = sorted(positions)
        if any(
            not any(a < p < b for p in stores) for a, b in zip(ordered, ordered[1:])
        ):  # two starts with no new binding in between
            found.add(START_AGAIN)
    # every scope's assignments of each spelling, to tell what a receiver may hold
    assigned: dict[str, list[Optional[ast.expr]]] = defaultdict(list)
    for (_, spelled), entries in reader.bindings.items():
        assigned[spelled].extend(value for _, value in entries)
    stored: dict[str, int] = defaultdict(int)
    for (_, spelled), positions in reader.stores.items():
        stored[spelled] += len(positions)

    def may_hold(spelled: str) -> bool:
        """A thread may be what ``spelled`` names: it is (or hangs off) a parameter, is bound some
        other way than by an assignment, or is assigned something that may make one."""
        values = assigned.get(spelled, [])
        if spelled.partition(".")[0] in reader.params or stored.get(spelled, 0) > len(values):
            return True
        # a function of this module may return a thread: its calls count as makers too
        makers = threads | reader.functions
        return any(value is None or _may_make_thread(value, makers) for value in values)

    for call, scope, loops in reader.calls:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in ("join", "run"):
            continue
        receiver = _dump(func.value)
        started = starts.get((scope, receiver), []) if receiver is not None else []
        if receiver is None:
            # ``Thread(...).join()``, ``threads[0].join()``; not ``" ".join(...)``
            held = func.value
            if isinstance(held, ast.Subscript):
                base = _dump(held.value)
                if base is None or may_hold(base):
                    found.add(UNSTARTED_JOIN_OR_RUN)
            elif isinstance(held, ast.Call) and _may_make_thread(held, threads | reader.functions):
                found.add(UNSTARTED_JOIN_OR_RUN)
        elif func.attr == "run":
            if not started and may_hold(receiver):  # not ``subprocess.run(...)``
                found.add(UNSTARTED_JOIN_OR_RUN)
        elif func.attr == "join":
            at = _position(call)
            for made, value in reader.bindings.get((scope, receiver), []):
                if value is not None and not _may_make_thread(value, threads):
                    continue
                if made < at:
                    if not any(made < p < at for p in started):
                        found.add(UNSTARTED_JOIN_OR_RUN)  # created, not started since
                elif any(_span_holds(loop, made) for loop in loops):
                    found.add(UNSTARTED_JOIN_OR_RUN)  # created later in a loop around the join
    for receiver, scope, at in reader.daemon_stores:
        if receiver is None:
            found.add(DAEMON_AFTER_START)
            continue
        stores = reader.stores.get((scope, receiver), [])
        for p in starts.get((scope, receiver), []):
            if p < at and not any(p < q < at for q in stores):  # started, not rebound since
                found.add(DAEMON_AFTER_START)


def _span_holds(node: ast.AST, at: Position) -> bool:
    start = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    end = (getattr(node, "end_lineno", None) or 0, getattr(node, "end_col_offset", None) or 0)
    return start <= at <= end


def _may_make_thread(value: ast.expr, threads: set[str]) -> bool:
    """The value names a thread class (or a name derived from one), or calls what is not spelled."""
    for node in ast.walk(value):
        if isinstance(node, ast.Name) and node.id in threads:
            return True
        if isinstance(node, ast.Attribute) and node.attr in threads:
            return True
        if isinstance(node, ast.Call) and _terminal(node.func) is None:
            return True
    return False


def _bound_in(loop: ast.AST) -> set[str]:
    """The names and attribute chains a loop (its target, its body) binds, outside nested scopes."""
    bound: set[str] = set()
    stack = [loop]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (*_FUNCTIONS, ast.ClassDef, *_COMPREHENSIONS)):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    bound.add(child.name)
                continue
            if isinstance(child, (ast.Name, ast.Attribute)) and isinstance(child.ctx, ast.Store):
                dumped = _dump(child)
                if dumped is not None:
                    bound.add(dumped)
            elif isinstance(child, ast.alias):
                bound.add(child.asname or child.name.partition(".")[0])
            stack.append(child)
    return bound


def _is_thread_subclass(cls: ast.ClassDef, threads: set[str]) -> bool:
    """A class derived from a thread class whose ``__init__`` may not call the base one, or set
    ``daemon``/``name`` before it; that may have a generated ``__init__`` (a decorator, a hook of
    dataclasses or attrs, an ``__init__`` assigned); or that redefines ``start()`` without ``run()``."""
    if cls.name not in threads or not cls.bases:
        return False
    if cls.decorator_list:
        return True
    methods: dict[str, ast.AST] = {}
    for statement in cls.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods[statement.name] = statement
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(_names_in(t) & _SUBCLASS_HOOKS for t in targets):
                return True
    if "__post_init__" in methods or "__attrs_post_init__" in methods:
        return True
    if "start" in methods and "run" not in methods:
        return True
    init = methods.get("__init__")
    if init is None:
        return False
    base_calls = [
        _position(node)
        for node in ast.walk(init)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__init__"
    ]
    if not base_calls:
        return True  # or a helper calls it: the rule follows calls, this does not
    first = min(base_calls)
    return any(
        isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and node.attr in ("daemon", "name")
        and _position(node) < first
        for node in ast.walk(init)
    )


def _queue_exception(node: ast.AST, from_queue: set[str]) -> bool:
    caught: set[str] = set()
    for handler in getattr(node, "handlers", []):
        if handler.type is None:
            continue
        spelled = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for expression in spelled:
            name = _terminal(expression)
            if name not in ("Empty", "Full"):
                continue
            caught.add(name)
            if isinstance(expression, ast.Name):
                if name not in from_queue:
                    return True
            elif not (
                isinstance(expression, ast.Attribute) and _dump(expression.value) in _QUEUE_MODULES
            ):
                return True
    if len(caught) != 1:
        return False
    wrong = _PUTS if caught == {"Empty"} else _GETS
    for statement in getattr(node, "body", []):
        for inner in ast.walk(statement):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr in wrong
            ):
                return True
    return False
