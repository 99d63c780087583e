"""A module's summary: the facts about it that other modules of the project need, as frozen data.

A summary holds, for the module's top-level functions (defs and names bound to a lambda): how many
positional arguments they need and accept, whether they are a lambda, where they end their process
(``sys.exit()``, ``os._exit()`` … reachable in the module), whether calling them starts processes or a
pool (and under which start method), and which module globals they write; for its classes, whether they
subclass ``Process``, define ``run()`` and call ``super().__init__()`` in their ``__init__``, which
library class they derive from and which methods they define and call on themselves; for its
module-level objects (locks, queues, pools, managers, contexts), their kind; for its factories (a function
returning a ``Pool``, a ``queue.Queue`` …), the kind they return; and the names it re-exports
(``from .tasks import work`` in a package's ``__init__.py``). Every place is a :class:`Span` in the
summarised file, so a diagnostic can point there.

A summary never looks into another module: a function's calls of names imported from other modules
(``util.fail()``) are read from the module's text when the function is asked about
(:meth:`ModuleSummary.function`, as :class:`ImportedCall`: the absolute name called), and the project
index composes the callee's facts with the caller's (:meth:`mplint.project.Project.function`); an
:class:`Exit` or a :class:`Start` found that way names the file it lies in (``path``).

Summaries are plain values with a JSON round trip (``to_json``/``from_json``), cached by the file's
content (see :mod:`mplint.project.index`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Optional

__all__ = [
    "SUMMARY_FORMAT",
    "CallReader",
    "ClassFacts",
    "Exit",
    "FunctionFacts",
    "GlobalWrite",
    "ImportedCall",
    "KindFacts",
    "LocalCall",
    "ModuleSummary",
    "ObjectFacts",
    "Span",
    "Start",
]

#: Bumped whenever the summary's fields change: older cache entries are then ignored.
SUMMARY_FORMAT = 3

#: What a worker's abrupt exit raises (``os._exit`` kills and no ``try`` catches it).
RAISED_EXITS = ("SystemExit", "KeyboardInterrupt")


@dataclass(frozen=True)
class Span:
    """A range in the summarised file: 1-based lines and character columns, as a diagnostic's."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to_json(self) -> list[int]:
        return [self.line, self.column, self.end_line, self.end_column]

    @classmethod
    def from_json(cls, raw: Any) -> Span:
        line, column, end_line, end_column = raw
        return cls(int(line), int(column), int(end_line), int(end_column))


@dataclass(frozen=True)
class KindFacts:
    """A modelled kind as a summary keeps it: ``name`` is a ``KindName`` value (never a container's),
    ``family`` the library that makes it, ``method`` the start method of its context when explicit,
    ``proxy`` whether a Manager serves it."""

    name: str
    family: str
    method: Optional[str] = None
    proxy: bool = False

    def to_json(self) -> list[Any]:
        return [self.name, self.family, self.method, self.proxy]

    @classmethod
    def from_json(cls, raw: Any) -> Optional[KindFacts]:
        if raw is None:
            return None
        name, family, method, proxy = raw
        return cls(str(name), str(family), None if method is None else str(method), bool(proxy))


@dataclass(frozen=True)
class Exit:
    """A place that ends the process: the code (``sys.exit(1)``) and what it raises (``SystemExit``,
    ``KeyboardInterrupt``) or ``kill`` (``os._exit``, ``os.abort``, ``os.kill(os.getpid(), …)``)."""

    span: Span
    code: str
    how: str
    #: the function whose own body holds it (the summarised function or one it calls)
    function: str
    #: the file that holds it when it is not the summarised module (a fact composed across modules)
    path: Optional[str] = None


@dataclass(frozen=True)
class Start:
    """Calling the function starts processes: what it does (``creates a Pool``), the functions of its
    module on the way (the function itself first), where it happens, and the start method the summarised
    module's model gives the object (None when unknown)."""

    span: Span
    description: str
    chain: tuple[str, ...]
    start_method: Optional[str]
    #: the library of the processes (``multiprocessing``, ``billiard`` …; ``Kind.process_library``)
    library: Optional[str] = None
    #: a function on the way reads a ``daemon`` flag, or the start is inside a ``try`` that expects
    #: ``AssertionError`` (what a daemonic process raises): the code may guard against running in one
    daemon_checked: bool = False
    #: the file that holds it when it is not the summarised module (a fact composed across modules);
    #: then the names of ``chain`` from other modules are qualified (``util.make_pool``)
    path: Optional[str] = None
    #: the start, or every call on the way to it in its module, is under a test of a parameter of the
    #: function that holds it (``if workers > 1:``, an early ``return`` on one): whether it happens
    #: depends on the arguments, so a caller in another module does not take it on (composition)
    guarded: bool = False


@dataclass(frozen=True)
class GlobalWrite:
    """A change of a module-level variable: ``how`` is ``rebind`` (``global X; X = …``, ``X += …``)
    or ``mutate`` (``X.append(…)``, ``X[k] = …`` on a module-level container). Left out, as the rule
    on one module leaves them out: storing the function's own arguments (``global X; X = arg``) and
    variables that hold an object of a modelled kind (a ``Value``, a proxy, a queue)."""

    name: str
    how: str
    span: Span
    code: str
    #: the function whose own body writes
    function: str


@dataclass(frozen=True)
class ImportedCall:
    """A call, in the function or in a function of its module it calls, of a name imported from
    another module (``util.fail()``, ``from .util import fail; fail()``): what the other module's
    function does happens here too."""

    #: the absolute dotted name called (``pkg.util.fail``)
    qualname: str
    span: Span
    #: the functions of the module on the way, the summarised function first, the caller last
    chain: tuple[str, ...]
    #: which of ``SystemExit`` and ``KeyboardInterrupt`` raised by the call no ``try`` around it
    #: (nor around the calls on the way) may catch
    escapes: tuple[str, ...]
    #: the call, or a call on the way to it, is under a test of a parameter of the function that
    #: makes it (see ``Start.guarded``): processes the callee starts are not taken on through it
    guarded: bool = False


@dataclass(frozen=True)
class LocalCall:
    """A call, in a function's own body, of another top-level function of its module by name: the
    imported calls of that function happen here too (see :meth:`ModuleSummary.function`)."""

    name: str
    #: which of ``RAISED_EXITS`` a ``try`` around the call may catch
    caught: tuple[str, ...]
    #: the call is under a test of a parameter of the function that makes it
    guarded: bool


@dataclass(frozen=True)
class FunctionFacts:
    name: str
    span: Span
    #: (required, maximum) positional arguments, the maximum None with ``*args``; None when unknown
    #: (a decorator other than ``staticmethod``/``classmethod``)
    arity: Optional[tuple[int, Optional[int]]]
    is_lambda: bool
    exits: tuple[Exit, ...]
    starts: Optional[Start]
    #: module globals the function (or a function of its module it calls) changes
    writes_globals: tuple[GlobalWrite, ...]
    #: the calls of functions imported from other modules (see :class:`ImportedCall`): in
    #: ``ModuleSummary.functions`` those of the function's own body; :meth:`ModuleSummary.function`
    #: adds those of the functions of its module it calls (``local``), computed when asked
    calls: tuple[ImportedCall, ...] = ()
    #: what every ``return`` of the function gives, when they agree on a modelled kind (a factory)
    returns: Optional[KindFacts] = None
    #: the calls of the module's other top-level functions its own body makes, by name
    local: tuple[LocalCall, ...] = ()


@dataclass(frozen=True)
class ClassFacts:
    name: str
    span: Span
    process_subclass: bool
    has_run: bool
    #: whether ``__init__`` calls ``super().__init__()``; None without an ``__init__``
    init_calls_super: Optional[bool]
    #: the library class it derives from (``Process``, ``Thread``, a ``Pool``, a Manager …), or None
    base: Optional[KindFacts] = None
    #: the methods the class and its bases of the module define
    methods: tuple[str, ...] = ()
    #: the methods those call on their instance (``self.start()``)
    self_calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectFacts:
    """A module-level object of a modelled kind."""

    name: str
    span: Span
    kind: KindFacts


#: The calls of a function's own body (by its name) of names imported from other modules and of the
#: module's functions; nothing for a name that is not a function of the module.
CallReader = Callable[[str], tuple[tuple[ImportedCall, ...], tuple[LocalCall, ...]]]


class _Lazy:
    """What a summary reads when asked (not compared, not kept on disk)."""

    def __init__(self) -> None:
        self.reader: Optional[CallReader] = None
        self.own: dict[str, FunctionFacts] = {}
        self.asked: dict[str, Optional[FunctionFacts]] = {}


@dataclass(frozen=True)
class ModuleSummary:
    module: str
    path: str
    #: the SHA-256 of the file's bytes
    digest: str
    functions: tuple[FunctionFacts, ...] = ()
    classes: tuple[ClassFacts, ...] = ()
    objects: tuple[ObjectFacts, ...] = ()
    #: names bound by ``from M import N [as L]``: (local name, absolute module M, N)
    reexports: tuple[tuple[str, str, str], ...] = ()
    #: the other module-level variables (bound by assignment, of no modelled kind)
    variables: tuple[str, ...] = ()
    #: what is read when asked: see :meth:`read_calls_with` and :meth:`function`
    _lazy: _Lazy = field(default_factory=_Lazy, init=False, repr=False, compare=False)

    def defines(self, name: str) -> bool:
        """The module binds ``name`` itself (not by an import)."""
        return (
            name in self.variables
            or self.function(name) is not None
            or self.cls(name) is not None
            or self.object(name) is not None
        )

    def read_calls_with(self, reader: CallReader) -> ModuleSummary:
        """Read the calls of each function's own body, when a function is asked for, with ``reader``
        (from the module's text: they are not kept in the summary); the summary itself."""
        self._lazy.reader = reader
        return self

    def function(self, name: str) -> Optional[FunctionFacts]:
        """The facts of the function ``name``, its ``calls`` those of its own body and those of the
        functions of the module it calls (``local``, followed breadth first, each once: the calls
        on the way, with the exits no ``try`` on the way may catch, and whether a test of a
        parameter guards one of them), read when it is first asked for."""
        lazy = self._lazy
        try:
            return lazy.asked[name]
        except KeyError:
            pass
        if not lazy.own:
            lazy.own.update((f.name, f) for f in self.functions)
        facts = lazy.own.get(name)
        reader = lazy.reader
        if facts is not None and reader is not None:
            direct, local = reader(name)
            if direct or local:
                calls = tuple(_calls_through(reader, name, direct, local))
                facts = replace(facts, calls=calls, local=local)
        lazy.asked[name] = facts
        return facts

    def cls(self, name: str) -> Optional[ClassFacts]:
        return next((c for c in self.classes if c.name == name), None)

    def object(self, name: str) -> Optional[ObjectFacts]:
        return next((o for o in self.objects if o.name == name), None)

    def reexport(self, name: str) -> Optional[tuple[str, str]]:
        return next(((m, n) for local, m, n in self.reexports if local == name), None)

    def kinds(self, name: Optional[str] = None) -> set[KindFacts]:
        """The kinds the module's objects have, its factories return and its classes derive from
        (only those of ``name`` when given)."""
        found = {o.kind for o in self.objects if name in (None, o.name)}
        for function in self.functions:
            if function.returns is not None and name in (None, function.name):
                found.add(function.returns)
        for cls in self.classes:
            if cls.base is not None and name in (None, cls.name):
                found.add(cls.base)
        return found

    @property
    def starts_processes(self) -> bool:
        """Some function of the module starts processes when called."""
        return any(f.starts is not None for f in self.functions)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SUMMARY_FORMAT,
            "module": self.module,
            "path": self.path,
            "digest": self.digest,
            "functions": [
                {
                    "name": f.name,
                    "span": f.span.to_json(),
                    "arity": list(f.arity) if f.arity is not None else None,
                    "lambda": f.is_lambda,
                    "exits": [
                        [e.span.to_json(), e.code, e.how, e.function, e.path] for e in f.exits
                    ],
                    "starts": None
                    if f.starts is None
                    else [
                        f.starts.span.to_json(),
                        f.starts.description,
                        list(f.starts.chain),
                        f.starts.start_method,
                        f.starts.library,
                        f.starts.daemon_checked,
                        f.starts.path,
                        f.starts.guarded,
                    ],
                    "globals": [
                        [w.name, w.how, w.span.to_json(), w.code, w.function]
                        for w in f.writes_globals
                    ],
                    "returns": None if f.returns is None else f.returns.to_json(),
                }
                for f in self.functions
            ],
            "classes": [
                [
                    c.name,
                    c.span.to_json(),
                    c.process_subclass,
                    c.has_run,
                    c.init_calls_super,
                    None if c.base is None else c.base.to_json(),
                    list(c.methods),
                    list(c.self_calls),
                ]
                for c in self.classes
            ],
            "objects": [[o.name, o.span.to_json(), o.kind.to_json()] for o in self.objects],
            "reexports": [list(r) for r in self.reexports],
            "variables": list(self.variables),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ModuleSummary:
        """The summary ``to_json`` wrote; ValueError for another format."""
        if raw.get("format") != SUMMARY_FORMAT:
            raise ValueError("summary of another format")
        functions = []
        for f in raw["functions"]:
            arity = f["arity"]
            starts = f["starts"]
            functions.append(
                FunctionFacts(
                    name=str(f["name"]),
                    span=Span.from_json(f["span"]),
                    arity=None if arity is None else (int(arity[0]), arity[1]),
                    is_lambda=bool(f["lambda"]),
                    exits=tuple(
                        Exit(Span.from_json(s), str(code), str(how), str(fn), where)
                        for s, code, how, fn, where in f["exits"]
                    ),
                    starts=None
                    if starts is None
                    else Start(
                        Span.from_json(starts[0]),
                        starts[1],
                        tuple(starts[2]),
                        starts[3],
                        starts[4],
                        bool(starts[5]),
                        starts[6],
                        bool(starts[7]),
                    ),
                    writes_globals=tuple(
                        GlobalWrite(str(n), str(h), Span.from_json(s), str(c), str(fn))
                        for n, h, s, c, fn in f["globals"]
                    ),
                    returns=KindFacts.from_json(f["returns"]),
                )
            )
        return cls(
            module=str(raw["module"]),
            path=str(raw["path"]),
            digest=str(raw["digest"]),
            functions=tuple(functions),
            classes=tuple(
                ClassFacts(
                    str(n),
                    Span.from_json(s),
                    bool(p),
                    bool(r),
                    i,
                    KindFacts.from_json(b),
                    tuple(str(m) for m in methods),
                    tuple(str(m) for m in calls),
                )
                for n, s, p, r, i, b, methods, calls in raw["classes"]
            ),
            objects=tuple(_object(n, s, k) for n, s, k in raw["objects"]),
            reexports=tuple((str(a), str(b), str(c)) for a, b, c in raw["reexports"]),
            variables=tuple(str(v) for v in raw["variables"]),
        )


def _object(name: Any, span: Any, kind: Any) -> ObjectFacts:
    facts = KindFacts.from_json(kind)
    if facts is None:
        raise ValueError("an object without a kind")
    return ObjectFacts(str(name), Span.from_json(span), facts)


def _calls_through(
    reader: CallReader,
    root: str,
    direct: tuple[ImportedCall, ...],
    local: tuple[LocalCall, ...],
) -> Iterator[ImportedCall]:
    """The imported calls of the function ``root`` (``direct``, ``local``: its own body's) and of
    the functions of its module it calls, breadth first."""
    seen = {root}
    queue: list[
        tuple[
            tuple[ImportedCall, ...], tuple[LocalCall, ...], tuple[str, ...], frozenset[str], bool
        ]
    ] = [(direct, local, (root,), frozenset(RAISED_EXITS), False)]
    while queue:
        calls, locals_, chain, escapes, guarded = queue.pop(0)
        for call in calls:
            yield ImportedCall(
                call.qualname,
                call.span,
                chain,
                tuple(e for e in RAISED_EXITS if e in escapes and e in call.escapes),
                guarded or call.guarded,
            )
        for callee in locals_:
            if callee.name not in seen:
                seen.add(callee.name)
                inner, further = reader(callee.name)
                through = escapes - frozenset(callee.caught)
                queue.append(
                    (inner, further, (*chain, callee.name), through, guarded or callee.guarded)
                )
