"""The project index: the modules of one project tree, their summaries, and the answer to "what does
this imported name stand for".

A :class:`Project` is one tree (see :mod:`mplint.project.layout` for how its root is found). It resolves
an import of a file to a file of the tree and gives that file's :class:`ModuleSummary`, computed on
demand, once per file content: in memory (checked against the file's size and modification time, so an
unchanged module is not read again) and on disk in the cache directory (``summaries/`` beside the
results, keyed by mplint's rule fingerprint, the module's name and the file's bytes). Only modules some
linted file asks about are summarised, and a summary never looks into a third module: the facts of a
function that calls functions of other modules of the tree are composed when they are asked for
(:meth:`Project.function`), following those calls ``CALL_DEPTH`` modules deep, once per function and
content for the project (used again while the modules they took are unchanged). The calls a function
makes are read from its module's text when it is first asked about (``ModuleSummary.function``).

A front door that holds a module's newer text than the disk's (an editor's unsaved buffer) gives it to
:meth:`Project.use_texts`: that text is summarised instead of the file, and its summary is kept by its
content.

Each file linted with the project records the modules it consulted (:meth:`Project.dependencies`), and
the files an import of the tree looked for and did not find before the one it found (or at all): the
results cache keeps them beside the results and serves the results only while each of them is
unchanged, and each missing one still missing.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Generic, Optional, TypeVar

from mplint.project.layout import (
    PROCESS_IMPORT,
    STARTS_WORDS,
    absolute_module,
    in_tree_candidate,
    module_candidates,
    module_name,
    search_roots,
)
from mplint.project.store import SummaryStore
from mplint.project.summary import Exit, FunctionFacts, KindFacts, ModuleSummary
from mplint.project.texts import (
    MarginDefs,
    binds_kind,
    defined_names,
    digest_of,
    import_time_calls,
    may_import_tree,
    read_text,
    text_bindings,
    text_imports,
    top_level_imports,
)

if TYPE_CHECKING:
    import ast

__all__ = ["Dependency", "Imported", "Project", "may_import_tree"]

#: How many re-exports (``from .tasks import work`` in ``__init__.py``) a lookup follows, and how
#: many modules deep the facts of a function follow its calls of other modules' functions.
REEXPORT_DEPTH = CALL_DEPTH = 4


#: A module's functions at the margin, what its imports bind, what a ``def`` or lambda may bind.
_TextFacts = tuple[MarginDefs, Optional[dict[str, set[tuple[int, str]]]], frozenset[str]]


_T = TypeVar("_T")
_MemoKey = TypeVar("_MemoKey", str, tuple[str, str])


@dataclass(frozen=True)
class _Read(Generic[_T]):
    """What was read of a module file's text, with the file's stamp and the text's digest."""

    size: int
    mtime_ns: int
    digest: str
    value: _T


@dataclass(frozen=True)
class _Peek:
    #: the text imports a library of processes and names what starts them
    starts: bool
    #: what it imports (``texts.text_imports``), None when that cannot be told from the text
    imports: Optional[list[tuple[int, str]]]


def _peek_text(text: str, digest: str) -> _Peek:
    starts = PROCESS_IMPORT.search(text) is not None and STARTS_WORDS.search(text) is not None
    return _Peek(starts, text_imports(text))


def _text_facts_of(text: str, digest: str) -> _TextFacts:
    return MarginDefs(text), text_bindings(text), defined_names(text)


def binds_kind_reader(name: str) -> Callable[[str, str], bool]:
    return lambda text, digest: binds_kind(text, name)


@dataclass(frozen=True)
class Dependency:
    """A module a file's results depend on: its path, the stamp it had when read, its content digest;
    or a file an import looked for and did not find (``size`` -1: it must still be missing)."""

    path: str
    size: int
    mtime_ns: int
    digest: str


@dataclass(frozen=True)
class Imported:
    """What an imported name stands for: the summary of the module that defines it and the name there."""

    summary: ModuleSummary
    name: str


class Project:
    """One project tree: see the module docstring. Safe to share between threads."""

    def __init__(
        self,
        root: str,
        cache_dir: Optional[str] = None,
        default_start_method: Optional[str] = None,
    ) -> None:
        self.root = os.path.abspath(root)
        self.cache_dir = cache_dir
        self.default_start_method = default_start_method
        self._lock = threading.RLock()
        self._summaries: dict[str, tuple[int, int, ModuleSummary]] = {}
        self._consulted: dict[str, dict[str, Dependency]] = {}
        #: path -> (size, mtime_ns, the summary from CPython's tree alone): see ``_gate_summary``
        self._light: dict[str, _Read[ModuleSummary]] = {}
        #: path -> what ``_peek`` read of it
        self._peeked: dict[str, _Read[_Peek]] = {}
        #: where the imports of a file are looked up, and what they found (see ``invalidate``)
        self._roots: dict[str, tuple[str, ...]] = {}
        #: (roots, module) -> (the file found, no candidate missing before it)
        self._files: dict[tuple[tuple[str, ...], str], tuple[Optional[str], tuple[str, ...]]] = {}
        self._store = SummaryStore(cache_dir, default_start_method)
        #: (path, name) -> (size, mtime_ns, digest, whether a line binds the name to a kind)
        self._kind_lines: dict[tuple[str, str], _Read[bool]] = {}
        #: path -> (text, digest): the texts that win over the disk's (``use_texts``)
        self._texts: dict[str, tuple[str, str]] = {}
        #: (path, digest, function, depth, light) -> (composed facts, the modules they took)
        self._composition: dict[
            tuple[str, str, str, int, bool], tuple[FunctionFacts, tuple[Dependency, ...]]
        ] = {}
        self._tokens = itertools.count()
        #: (search roots, qualname) -> (``_may_start_text``'s answer, the modules it read)
        self._text_answers: dict[
            tuple[tuple[str, ...], str], tuple[bool, tuple[Dependency, ...]]
        ] = {}
        #: path -> (size, mtime_ns, what ``_text_facts`` read)
        self._text_read: dict[str, _Read[_TextFacts]] = {}

    # --- where files stand -------------------------------------------------------------------------
    def module_of(self, path: str) -> str:
        """The dotted module name of ``path`` in this project."""
        return module_name(self.root, os.path.abspath(path))

    def resolve(self, importer: str, module: str) -> Optional[str]:
        """The file of the tree that the absolute import of ``module`` in ``importer`` finds, or None
        (outside the tree: the standard library, an installed package, a name that is not there)."""
        return self._resolve(None, importer, module)

    def _resolve(self, asker: Optional[str], importer: str, module: str) -> Optional[str]:
        """``resolve``; the files looked for in vain are recorded as missing dependencies of the
        file ``asker`` (a module created there later changes its results)."""
        if not in_tree_candidate(module):
            return None
        absolute = os.path.abspath(importer)
        with self._lock:
            roots = self._roots.get(absolute)
            if roots is None:
                roots = self._roots[absolute] = search_roots(self.root, absolute)
            key = (roots, module)
            known = self._files.get(key)
        if known is None:
            found: Optional[str] = None
            missing: list[str] = []
            for candidate in module_candidates(roots, module):
                if os.path.isfile(candidate):
                    found = candidate
                    break
                missing.append(os.path.normpath(candidate))
            known = (found, tuple(missing))
            if not missing:  # a file looked for in vain is looked for again: it may appear
                with self._lock:
                    self._files[key] = known
        if asker is not None and known[1]:
            with self._lock:
                consulted = self._consulted.setdefault(os.path.normpath(asker), {})
                for path in known[1]:
                    consulted.setdefault(path, Dependency(path, -1, -1, ""))
        return known[0]

    def absolute(self, importer: str, level: int, module: Optional[str]) -> Optional[str]:
        """The absolute module a relative import (``level`` dots) of ``importer`` names."""
        absolute = os.path.abspath(importer)
        current = self.module_of(absolute)
        return absolute_module(current, absolute.endswith("__init__.py"), level, module)

    # --- what an imported name is ------------------------------------------------------------------
    def lookup(self, importer: str, qualname: str) -> Optional[Imported]:
        """What the absolute dotted name ``qualname`` (``pkg.tasks.work``) read in ``importer`` stands
        for: the defining module's summary and the name in it, following re-exports. None when the
        module is not in the tree or does not define the name."""
        return self._lookup(importer, importer, qualname)

    def _lookup(
        self, asker: str, importer: str, qualname: str, light: bool = False
    ) -> Optional[Imported]:
        """``lookup`` of a name read in ``importer``, each module consulted recorded as a
        dependency of the linted file ``asker``; ``light``: see ``_gate_summary``."""
        module, _, name = qualname.rpartition(".")
        for _ in range(REEXPORT_DEPTH + 1):
            if not module:
                return None
            path = self._resolve(asker, importer, module)
            if path is None:
                return None
            if light:
                summary = self._gate_summary(asker, path, module)
            else:
                summary = self.summary(asker, path, module)
            if summary is None:
                return None
            if summary.defines(name):
                return Imported(summary, name)
            target = summary.reexport(name)
            if target is None:
                return None
            module, name = target
            importer = path
        return None

    def function(
        self, importer: str, qualname: str
    ) -> Optional[tuple[FunctionFacts, ModuleSummary]]:
        """The facts of the function (or lambda-bound name) ``qualname`` read in ``importer``, and the
        summary of its module, with what the functions of other modules of the tree it calls do
        (``FunctionFacts.calls``, followed ``CALL_DEPTH`` modules deep): their exits that no ``try``
        on the way may catch, and their start of processes when it starts none itself and neither
        that start nor the call is guarded by a test of a parameter (``Start.guarded``,
        ``ImportedCall.guarded``: whether it happens depends on arguments the facts do not follow).
        Composed facts name the file they lie in (``Exit.path``, ``Start.path``); they are composed
        when asked, once per function and content (``_composed``)."""
        return self._function(importer, importer, qualname, CALL_DEPTH)

    def _function(
        self, asker: str, importer: str, qualname: str, depth: int, light: bool = False
    ) -> Optional[tuple[FunctionFacts, ModuleSummary]]:
        found = self._lookup(asker, importer, qualname, light)
        if found is None:
            return None
        facts = found.summary.function(found.name)
        if facts is None:
            return None
        if depth > 0 and facts.calls:
            facts = self._composed(asker, found.summary, facts, depth, light)
        return facts, found.summary

    def _composed(
        self, asker: str, summary: ModuleSummary, facts: FunctionFacts, depth: int, light: bool
    ) -> FunctionFacts:
        """``facts`` composed with the facts of the functions of other modules it calls, kept for
        the project with the modules that took (used again while they are unchanged), which become
        dependencies of ``asker`` too."""
        key = (summary.path, summary.digest, facts.name, depth, light)
        with self._lock:
            kept = self._composition.get(key)
        if kept is None or not self._unchanged(kept[1]):
            with self._lock:
                token = f"\0composing {next(self._tokens)}"
            composed = self._compose(token, summary, facts, depth, light)
            with self._lock:
                consulted = self._consulted.pop(token, {})
                kept = self._composition[key] = (composed, tuple(consulted.values()))
        with self._lock:
            mine = self._consulted.setdefault(os.path.normpath(asker), {})
            for dependency in kept[1]:
                mine.setdefault(dependency.path, dependency)
        return kept[0]

    def _unchanged(self, dependencies: tuple[Dependency, ...]) -> bool:
        for dependency in dependencies:
            if not dependency.digest:  # looked for in vain: still missing?
                if os.path.isfile(dependency.path):
                    return False
                continue
            with self._lock:
                stamp = self._stamp(dependency.path)
            if stamp is None or stamp[:2] != (dependency.size, dependency.mtime_ns):
                return False
        return True

    def _compose(
        self, asker: str, summary: ModuleSummary, facts: FunctionFacts, depth: int, light: bool
    ) -> FunctionFacts:
        exits: list[Exit] = list(facts.exits)
        places = {(summary.path, e.span, e.code) for e in exits if e.path is None}
        starts = facts.starts
        for call in facts.calls:
            inner = self._function(asker, summary.path, call.qualname, depth - 1, light)
            if inner is None:
                continue
            callee, where = inner
            for e in callee.exits:
                if e.how != "kill" and e.how not in call.escapes:
                    continue
                path = e.path or where.path
                if (path, e.span, e.code) in places:
                    continue
                places.add((path, e.span, e.code))
                if e.path is None:
                    exits.append(replace(e, path=path, function=f"{where.module}.{e.function}"))
                else:
                    exits.append(e)
            if (
                starts is None
                and callee.starts is not None
                and not callee.starts.guarded
                and not call.guarded
            ):
                start = callee.starts
                chain = tuple(n if "." in n else f"{where.module}.{n}" for n in start.chain)
                starts = replace(start, chain=(*call.chain, *chain), path=start.path or where.path)
        return replace(facts, exits=tuple(exits), starts=starts)

    def summary(self, importer: str, path: str, module: str) -> Optional[ModuleSummary]:
        """The summary of the module file ``path`` (named ``module``), recorded as a dependency of the
        file ``importer``."""
        key = os.path.normpath(path)
        with self._lock:
            stamp = self._stamp(key)
            if stamp is None:
                return None
            size, mtime_ns, given = stamp
            known = self._summaries.get(key)
            if known is not None and known[:2] == (size, mtime_ns):
                summary: Optional[ModuleSummary] = known[2]
            else:
                summary = (
                    self._store.load(key, module)
                    if given is None
                    else self._store.summarize(
                        key, module, given[0], given[0].encode("utf-8", "surrogatepass")
                    )
                )
            if summary is None:
                return None
            self._summaries[key] = (size, mtime_ns, summary)
            dependency = Dependency(key, size, mtime_ns, summary.digest)
            self._consulted.setdefault(os.path.normpath(importer), {})[key] = dependency
        return summary

    def dependencies(self, path: str) -> tuple[Dependency, ...]:
        """The modules the lints of ``path`` so far consulted (see :meth:`forget`)."""
        with self._lock:
            found = self._consulted.get(os.path.normpath(path), {})
            return tuple(sorted(found.values(), key=lambda d: d.path))

    def forget(self, path: str) -> None:
        """Start recording the dependencies of ``path`` afresh (before it is linted again)."""
        with self._lock:
            self._consulted.pop(os.path.normpath(path), None)

    def invalidate(self, path: str) -> None:
        """Drop the summary of ``path`` kept in memory, and what imports were found to name (a front
        door that knows a file changed, was created or was removed)."""
        with self._lock:
            self._summaries.pop(os.path.normpath(path), None)
            self._light.pop(os.path.normpath(path), None)
            self._peeked.pop(os.path.normpath(path), None)
            self._kind_lines = {k: v for k, v in self._kind_lines.items() if k[0] != path}
            self._roots.clear()
            self._files.clear()
            self._composition.clear()
            self._text_answers.clear()
            self._text_read.pop(os.path.normpath(path), None)

    def use_texts(self, texts: dict[str, str]) -> None:
        """Read these modules (path -> text) from the given texts instead of their files, and every
        other module from its file again (the texts an editor holds unsaved)."""
        wanted = {
            os.path.normpath(os.path.abspath(path)): (text, digest_of(text))
            for path, text in texts.items()
        }
        with self._lock:
            if wanted != self._texts:
                self._texts = wanted
                self._text_answers.clear()

    def _stamp(self, key: str) -> Optional[tuple[int, int, Optional[tuple[str, str]]]]:
        """(size, mtime_ns, the text given for it or None) of a module: a given text's stamp is made
        of its digest, so that a summary kept for it serves only the same text."""
        given = self._texts.get(key)
        if given is not None:
            return -1, int(given[1][:15], 16), given
        try:
            info = os.stat(key)
        except OSError:
            return None
        return info.st_size, info.st_mtime_ns, None

    # --- the gate ------------------------------------------------------------------------------------
    def imports_starter(self, importer: str, text: str, tree: Optional[ast.Module] = None) -> bool:
        """Whether ``importer`` (``text`` is its source, ``tree`` CPython's tree of it when the
        caller has it) calls, when it is imported, a function of another module of the tree that
        starts processes (itself, or through the functions of other modules it calls: the facts
        ``function`` gives, which is what MPL201 judges): such a file may hold a finding though it
        names no library of processes itself. When none of the modules it imports, nor those they
        import, has a text that may start a process, the answer is no before any tree is built or
        any module summarised; each module of the tree looked at (and each file looked for in vain)
        is recorded as a dependency of ``importer``."""
        import ast

        from mplint.project.astfacts import import_time_bindings

        modules = text_imports(text)
        if modules is not None and not self._some_may_start(importer, importer, modules):
            return False  # nothing it imports can start a process: no tree needed
        if tree is None:
            called = import_time_calls(text)
            if called is not None:
                if not called:
                    return False
                imported = text_bindings(text)
                if imported is not None and not self._text_calls_start(importer, imported, called):
                    return False  # none of the calls the text may make starts a process
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return False
        bindings, calls = import_time_bindings(tree)
        bases: dict[str, set[str]] = {}
        for level, _, base, local in bindings:
            absolute = (self.absolute(importer, level, base) or "") if level else base
            if absolute and in_tree_candidate(absolute):
                bases.setdefault(local, set()).add(absolute)
        for parts in calls:
            for base in sorted(bases.get(parts[0], ())):
                qualname = ".".join([base, *parts[1:]])
                found = self._function(importer, importer, qualname, CALL_DEPTH, True)
                if found is not None and found[0].starts is not None:
                    return True
        return False

    def imported_kinds(self, importer: str, text: str) -> frozenset[KindFacts]:
        """The kinds of the names the module-level imports of ``importer`` (``text`` is its source)
        take from modules of the tree that can start processes (``_may_start``), followed through
        re-exports: module-level objects and classes derived from a library class, when the line
        that binds them names a library class or constructor (``_binds_kind``; factories and modules
        imported whole are not looked at here). A file that names no library of processes may hold
        findings on them. Each module looked at is a dependency of ``importer``."""
        found: set[KindFacts] = set()
        for level, written, _ in top_level_imports(text):
            module = (self.absolute(importer, level, written) or "") if level else written
            if "." in module and self.resolve(importer, module) is None:
                parent, _, name = module.rpartition(".")
                found.update(self._kinds_of(importer, parent, name))
        return frozenset(found)

    def _kinds_of(self, importer: str, module: str, name: str) -> set[KindFacts]:
        for _ in range(REEXPORT_DEPTH + 1):
            path = self.resolve(importer, module)
            if path is None:
                return set()
            if os.path.basename(path) != "__init__.py":  # a package: follow its re-export
                peeked = self._peek(importer, path)  # else its text must start and bind a kind
                if not (peeked and peeked.value.starts and self._binds_kind(importer, path, name)):
                    return set()
            summary = self.summary(importer, path, module)
            if summary is None:
                return set()
            if summary.defines(name):
                return summary.kinds(name)
            target = summary.reexport(name)
            if target is None:
                return set()
            module, name = target
        return set()

    def may_bind_kind(self, importer: str, qualname: str) -> bool:
        """Whether the module the absolute dotted name ``qualname`` is read from may give it a
        modelled kind: a cheap look at its text before it is summarised (``_binds_kind``), through
        the re-exports of packages. The modules looked at are dependencies of ``importer``."""
        module, _, name = qualname.rpartition(".")
        for _ in range(REEXPORT_DEPTH + 1):
            path = self.resolve(importer, module) if module else None
            if path is None:
                return False
            if os.path.basename(path) != "__init__.py" or self._binds_kind(importer, path, name):
                return self._binds_kind(importer, path, name)
            summary = self.summary(importer, path, module)  # a package: follow its re-export
            target = summary.reexport(name) if summary is not None else None
            if target is None:
                return False
            module, name = target
        return False

    def _binds_kind(self, importer: str, path: str, name: str) -> bool:
        """A line of the module binds ``name`` by a class statement or an assignment that names a
        library class or constructor, or by a ``def`` whose body has a ``return`` that calls one."""
        key = os.path.normpath(path)
        known = self._read(importer, key, self._kind_lines, (key, name), binds_kind_reader(name))
        return known is not None and known.value

    def may_have_findings(self, importer: str, text: str) -> bool:
        """Whether a file the text prefilter turns away may still hold a finding through its imports
        of the tree: it calls a function that starts processes (:meth:`imports_starter`), or it
        imports objects of a modelled kind (:meth:`imported_kinds`)."""
        return self.imports_starter(importer, text) or bool(self.imported_kinds(importer, text))

    def _text_calls_start(
        self,
        importer: str,
        bindings: dict[str, set[tuple[int, str]]],
        called: list[tuple[str, ...]],
    ) -> bool:
        """Some of the dotted names ``called`` (``texts.import_time_calls``), read through the
        imports ``bindings`` (``texts.text_bindings``), may name a function of the tree that starts
        processes (``_may_start_text``; each answer kept for the project with the modules it read,
        used again while they are unchanged, and they become dependencies of ``importer``)."""
        for parts in called:
            for level, base in sorted(bindings.get(parts[0], ())):
                qualname = self._qualname(importer, level, base, parts)
                if not qualname:
                    continue
                with self._lock:
                    roots = self._roots.get(os.path.abspath(importer))
                    kept = self._text_answers.get((roots, qualname)) if roots else None
                if kept is None or not self._unchanged(kept[1]):
                    with self._lock:
                        token = f"\0reading {next(self._tokens)}"
                    answer = self._may_start_text(token, importer, qualname, CALL_DEPTH, {})
                    with self._lock:
                        consulted = self._consulted.pop(token, {})
                        kept = (answer, tuple(consulted.values()))
                        roots = self._roots.get(os.path.abspath(importer))
                        if roots is not None:
                            self._text_answers[(roots, qualname)] = kept
                with self._lock:
                    mine = self._consulted.setdefault(os.path.normpath(importer), {})
                    for dependency in kept[1]:
                        mine.setdefault(dependency.path, dependency)
                if kept[0]:
                    return True
        return False

    def _qualname(self, importer: str, level: int, base: str, parts: tuple[str, ...]) -> str:
        absolute = (self.absolute(importer, level, base) or "") if level else base
        if not absolute or not in_tree_candidate(absolute):
            return ""
        return ".".join([absolute, *parts[1:]])

    def _may_start_text(
        self,
        asker: str,
        importer: str,
        qualname: str,
        depth: int,
        reached: dict[tuple[str, str], int],
    ) -> bool:
        """A superset of "``function`` composed the facts of ``qualname`` with a start", read from
        the texts of the modules on the way, down to the modules whose text may start processes
        themselves (whose summaries then tell): the function's text calls a function of its module,
        or of a module it imports (``depth`` modules deep), that does; anything these texts cannot
        tell may. Each module looked at is a dependency of ``asker``."""
        module, _, name = qualname.rpartition(".")
        path = self._resolve(asker, importer, module) if module else None
        if path is None or reached.get((path, name), -1) >= depth:
            return False
        reached[(path, name)] = depth
        known = self._peek(asker, path)
        if known is None:
            return False
        if known.value.starts:  # its own text may start processes: its summary tells
            found = self._function(asker, importer, qualname, depth, True)
            return found is not None and found[0].starts is not None
        read = self._text_facts(path)
        if read is None:
            return True
        margin, bindings, defined = read
        sure, calls, continued = margin.calls(name)
        if not sure or bindings is None or any(n in bindings for n in continued):
            return True
        for level, base in sorted(bindings.get(name, ())):
            again = self._qualname(path, level, base, (name,))  # an import it re-exports
            if again and self._may_start_text(asker, path, again, depth, reached):
                return True
        for parts in calls:
            if len(parts) == 1 and parts[0] in defined:
                if self._may_start_text(asker, path, f"{module}.{parts[0]}", depth, reached):
                    return True  # a function of its module
                continue
            for level, base in sorted(bindings.get(parts[0], ()) if depth > 0 else ()):
                inner = self._qualname(path, level, base, parts)
                if inner and self._may_start_text(asker, path, inner, depth - 1, reached):
                    return True
        return False

    def _text_facts(self, path: str) -> Optional[_TextFacts]:
        """The text of a module, what its imports bind (``texts.text_bindings``) and the names a
        ``def`` or a lambda may bind in it (``texts.defined_names``), per stamp."""
        key = os.path.normpath(path)
        known = self._read(None, key, self._text_read, key, _text_facts_of)
        return known.value if known is not None else None

    def _gate_summary(self, asker: str, path: str, module: str) -> Optional[ModuleSummary]:
        """For the gate, which asks only whether functions start processes: the summary of a module
        whose own text may start one, and for any other the one CPython's tree gives (its functions
        start nothing themselves, and their calls of other modules are read from that tree either
        way), kept per stamp, without libcst."""
        from mplint.project.summarize import summarize_light

        known = self._peek(asker, path)
        if known is None:
            return None
        if known.value.starts:
            return self.summary(asker, path, module)
        key = os.path.normpath(path)
        light = self._read(
            None,
            key,
            self._light,
            key,
            lambda text, digest: summarize_light(key, module, text, digest),
        )
        return light.value if light is not None else None

    def _some_may_start(
        self,
        asker: str,
        importer: str,
        modules: list[tuple[int, str]],
        depth: int = CALL_DEPTH,
        seen: Optional[set[str]] = None,
    ) -> bool:
        """Some of ``modules`` (level, name: what ``importer`` imports, ``texts.text_imports``), or a
        package above one, is a module of the tree that may start processes (``_may_start``)."""
        seen = set() if seen is None else seen
        for level, written in modules:
            module = (self.absolute(importer, level, written) or "") if level else written
            for candidate in _prefixes(module):
                path = self._resolve(asker, importer, candidate)
                if path is None or path in seen:
                    continue
                seen.add(path)
                if self._may_start(asker, path, depth, seen):
                    return True
        return False

    def _may_start(
        self,
        importer: str,
        path: str,
        depth: int = CALL_DEPTH,
        seen: Optional[set[str]] = None,
    ) -> bool:
        """Only a module that imports a library of processes, and names what starts them (a
        ``Process``, a ``Pool`` …), can start one, or one that imports such a module of the tree
        (whose functions it may call), ``depth`` modules deep (read from the texts, kept per stamp;
        each module looked at is a dependency of ``importer``)."""
        known = self._peek(importer, path)
        if known is None:
            return False
        if known.value.starts or known.value.imports is None:
            return True
        if depth <= 0:
            return False
        return self._some_may_start(importer, path, known.value.imports, depth - 1, seen)

    def _peek(self, importer: str, path: str) -> Optional[_Read[_Peek]]:
        """Whether the text of the module file ``path`` may start processes itself, and what it
        imports, recorded as a dependency of ``importer``."""
        key = os.path.normpath(path)
        return self._read(importer, key, self._peeked, key, _peek_text)

    def _read(
        self,
        importer: Optional[str],
        key: str,
        memo: dict[_MemoKey, _Read[_T]],
        memo_key: _MemoKey,
        reader: Callable[[str, str], _T],
    ) -> Optional[_Read[_T]]:
        """What ``reader`` gives of the text of the module file ``key`` (an unsaved text wins) and its
        digest, kept in ``memo`` under ``memo_key`` while the file's size and modification time stay
        the same; the module is recorded as a dependency of ``importer`` when one is given. None when
        the file cannot be read."""
        with self._lock:
            stamp = self._stamp(key)
            known = memo.get(memo_key)
        if stamp is None:
            return None
        size, mtime_ns, given = stamp
        if known is None or (known.size, known.mtime_ns) != (size, mtime_ns):
            read = given or read_text(key)
            if read is None:
                return None
            known = _Read(size, mtime_ns, read[1], reader(*read))
            with self._lock:
                memo[memo_key] = known
        if importer is not None:
            with self._lock:
                dependency = Dependency(key, known.size, known.mtime_ns, known.digest)
                consulted = self._consulted.setdefault(os.path.normpath(importer), {})
                consulted.setdefault(key, dependency)
        return known


def _prefixes(module: str) -> list[str]:
    """``a.b.c`` and the packages above it (importing ``a.b.c`` runs each ``__init__``), longest
    first."""
    parts = [p for p in module.split(".") if p]
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
