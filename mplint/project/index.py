"""The project index: the modules of one project tree, their summaries, and the answer to "what does
this imported name stand for".

A :class:`Project` is one tree (see :mod:`mplint.project.layout` for how its root is found). It resolves
an import of a file to a file of the tree and gives that file's :class:`ModuleSummary`, computed on
demand, once per file content: in memory (checked against the file's size and modification time, so an
unchanged module is not read again) and on disk in the cache directory (``summaries/`` beside the
results, keyed by mplint's rule fingerprint, the module's name and the file's bytes). Only modules some
linted file asks about are summarised, and a summary never looks into a third module.

A front door that holds a module's newer text than the disk's (an editor's unsaved buffer) gives it to
:meth:`Project.use_texts`: that text is summarised instead of the file, and its summary is kept by its
content.

Each file linted with the project records the modules it consulted (:meth:`Project.dependencies`): the
results cache keeps them beside the results and serves the results only while each of them is
unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from typing import Optional

from mplint.project.layout import (
    PROCESS_IMPORT,
    STARTS_WORDS,
    absolute_module,
    in_tree_candidate,
    module_file,
    module_name,
    search_roots,
)
from mplint.project.summary import KindFacts, ModuleSummary

__all__ = ["Dependency", "Imported", "Project", "may_import_tree"]

#: How many re-exports (``from .tasks import work`` in ``__init__.py``) a lookup follows.
REEXPORT_DEPTH = 4


@dataclass(frozen=True)
class Dependency:
    """A module a file's results depend on: its path, the stamp it had when read, its content digest."""

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
        #: path -> (size, mtime_ns, digest, whether its text can start processes)
        self._peeked: dict[str, tuple[int, int, str, bool]] = {}
        #: where the imports of a file are looked up, and what they found (see ``invalidate``)
        self._roots: dict[str, tuple[str, ...]] = {}
        self._files: dict[tuple[tuple[str, ...], str], Optional[str]] = {}
        self._fingerprint: Optional[str] = None
        #: (path, name) -> (size, mtime_ns, digest, whether a line binds the name to a kind)
        self._kind_lines: dict[tuple[str, str], tuple[int, int, str, bool]] = {}
        #: path -> (text, digest): the texts that win over the disk's (``use_texts``)
        self._texts: dict[str, tuple[str, str]] = {}

    # --- where files stand -------------------------------------------------------------------------
    def module_of(self, path: str) -> str:
        """The dotted module name of ``path`` in this project."""
        return module_name(self.root, os.path.abspath(path))

    def resolve(self, importer: str, module: str) -> Optional[str]:
        """The file of the tree that the absolute import of ``module`` in ``importer`` finds, or None
        (outside the tree: the standard library, an installed package, a name that is not there)."""
        if not in_tree_candidate(module):
            return None
        absolute = os.path.abspath(importer)
        roots = self._roots.get(absolute)
        if roots is None:
            roots = self._roots[absolute] = search_roots(self.root, absolute)
        key = (roots, module)
        try:
            return self._files[key]
        except KeyError:
            found = self._files[key] = module_file(roots, module)
            return found

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
        module, _, name = qualname.rpartition(".")
        for _ in range(REEXPORT_DEPTH + 1):
            if not module:
                return None
            path = self.resolve(importer, module)
            if path is None:
                return None
            summary = self.summary(importer, path, module)
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
                    self._load(key, module)
                    if given is None
                    else self._summarize(
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
            self._peeked.pop(os.path.normpath(path), None)
            self._kind_lines = {k: v for k, v in self._kind_lines.items() if k[0] != path}
            self._roots.clear()
            self._files.clear()

    def use_texts(self, texts: dict[str, str]) -> None:
        """Read these modules (path -> text) from the given texts instead of their files, and every
        other module from its file again (the texts an editor holds unsaved)."""
        wanted = {
            os.path.normpath(os.path.abspath(path)): (text, _digest(text))
            for path, text in texts.items()
        }
        with self._lock:
            if wanted != self._texts:
                self._texts = wanted

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
    def imports_starter(self, importer: str, text: str) -> bool:
        """Whether a module-level import of ``importer`` (``text`` is its source), called by a
        statement at the start of a line, names a module of the tree with a function that starts
        processes when called: such a file may hold a finding though it names no library of processes
        itself. Modules whose own text cannot hold a finding are not
        summarised (nothing in them starts a process), but each module of the tree looked at is
        recorded as a dependency of ``importer``."""
        called = _top_level_calls(text)
        if not called:
            return False
        for level, written, local in _top_level_imports(text):
            if local not in called:
                continue
            module = (self.absolute(importer, level, written) or "") if level else written
            for candidate in _prefixes(module):
                path = self.resolve(importer, candidate)
                if path is None or not self._may_start(importer, path):
                    continue
                summary = self.summary(importer, path, candidate)
                if summary is not None and summary.starts_processes:
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
        for level, written, _ in _top_level_imports(text):
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
            package = os.path.basename(path) == "__init__.py"
            if not package and not (
                self._may_start(importer, path) and self._binds_kind(importer, path, name)
            ):
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
        with self._lock:
            stamp = self._stamp(key)
        if stamp is None:
            return False
        size, mtime_ns, given = stamp
        known = self._kind_lines.get((key, name))
        if known is None or known[:2] != (size, mtime_ns):
            read = given or _read_text(key)
            if read is None:
                return False
            text, digest = read
            word = re.escape(name)
            binding = re.compile(
                rf"^(?:class[ \t]+{word}\b|{word}[ \t]*(?::[^=\n]*)?=)[^\n]*" + _KIND_WORDS,
                re.MULTILINE,
            )
            found = binding.search(text) is not None or _returns_kind(text, word)
            known = (size, mtime_ns, digest, found)
            with self._lock:
                self._kind_lines[(key, name)] = known
        with self._lock:
            dependency = Dependency(key, known[0], known[1], known[2])
            self._consulted.setdefault(os.path.normpath(importer), {}).setdefault(key, dependency)
        return known[3]

    def may_have_findings(self, importer: str, text: str) -> bool:
        """Whether a file the text prefilter turns away may still hold a finding through its imports
        of the tree: it calls a function that starts processes (:meth:`imports_starter`), or it
        imports objects of a modelled kind (:meth:`imported_kinds`)."""
        return self.imports_starter(importer, text) or bool(self.imported_kinds(importer, text))

    def _may_start(self, importer: str, path: str) -> bool:
        """Only a module that imports a library of processes, and names what starts them (a
        ``Process``, a ``Pool`` …), can start one (kept per stamp; the module is a dependency of
        ``importer``)."""
        key = os.path.normpath(path)
        with self._lock:
            stamp = self._stamp(key)
            known = self._peeked.get(key)
        if stamp is None:
            return False
        size, mtime_ns, given = stamp
        if known is None or known[:2] != (size, mtime_ns):
            read = given or _read_text(key)
            if read is None:
                return False
            text, digest = read
            starts = (
                PROCESS_IMPORT.search(text) is not None and STARTS_WORDS.search(text) is not None
            )
            known = (size, mtime_ns, digest, starts)
            with self._lock:
                self._peeked[key] = known
        with self._lock:
            dependency = Dependency(key, known[0], known[1], known[2])
            self._consulted.setdefault(os.path.normpath(importer), {}).setdefault(key, dependency)
        return known[3]

    # --- loading -------------------------------------------------------------------------------------
    def _load(self, path: str, module: str) -> Optional[ModuleSummary]:
        from mplint.source import SourceError, decode_source

        try:
            with open(path, "rb") as handle:
                data = handle.read()
            text = decode_source(data, path)[0]
        except (OSError, SourceError):
            return None
        return self._summarize(path, module, text, data)

    def _summarize(self, path: str, module: str, text: str, data: bytes) -> Optional[ModuleSummary]:
        """The summary of ``text`` (``data``: its bytes), from the cache directory or computed."""
        from mplint.project.summarize import summarize_text

        key = self._cache_key(module, path, data)
        cached = self._from_disk(key)
        if cached is not None:
            return cached
        digest = hashlib.sha256(data).hexdigest()
        summary = summarize_text(path, module, text, digest, self.default_start_method)
        self._to_disk(key, summary)
        return summary

    def _cache_key(self, module: str, path: str, data: bytes) -> str:
        if self._fingerprint is None:
            from mplint.cache import rules_fingerprint

            self._fingerprint = rules_fingerprint()
        digest = hashlib.sha256()
        for part in (self._fingerprint, str(self.default_start_method), module, path):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _entry(self, key: str) -> Optional[str]:
        if self.cache_dir is None:
            return None
        return os.path.join(self.cache_dir, "summaries", key[:2], f"{key[2:]}.json")

    def _from_disk(self, key: str) -> Optional[ModuleSummary]:
        entry = self._entry(key)
        if entry is None:
            return None
        try:
            with open(entry, encoding="utf-8") as handle:
                return ModuleSummary.from_json(json.load(handle))
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def _to_disk(self, key: str, summary: ModuleSummary) -> None:
        entry = self._entry(key)
        if entry is None:
            return
        with contextlib.suppress(OSError):
            directory = os.path.dirname(entry)
            os.makedirs(directory, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(summary.to_json(), handle, separators=(",", ":"))
            os.replace(temp, entry)


#: The library classes and constructors whose objects a summary gives a kind.
_KIND_WORDS = (
    r"\b(?:Process|Thread|Pool|ThreadPool|\w*Executor|\w*Manager|Queue|JoinableQueue|SimpleQueue"
    r"|Lock|RLock|Semaphore|BoundedSemaphore|Condition|Event|Barrier|Value|Array|Pipe)\b"
)


_FACTORY_RETURN = re.compile(r"^[ \t]+return[ \t]+[\w.]*" + _KIND_WORDS + r"[ \t]*\(", re.MULTILINE)


def _returns_kind(text: str, word: str) -> bool:
    """A module-level ``def`` of the (escaped) name ``word`` returns a call of a library class or
    constructor (its body: the lines up to the next one that starts at the margin)."""
    start = re.search(rf"^(?:async[ \t]+)?def[ \t]+{word}\b", text, re.MULTILINE)
    if start is None:
        return False
    end = re.compile(r"^\S", re.MULTILINE).search(text, text.find("\n", start.end()) + 1)
    body = text[start.end() : end.start() if end is not None else len(text)]
    return _FACTORY_RETURN.search(body) is not None


def _read_text(path: str) -> Optional[tuple[str, str]]:
    """A module's text (undecodable bytes replaced) and the digest of its bytes, for a cheap look."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data.decode("utf-8", "replace"), hashlib.sha256(data).hexdigest()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_IMPORT_LINE = re.compile(
    r"^(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+\(?([\w, \t]*)|import[ \t]+([\w.]+))",
    re.MULTILINE,
)


def _top_level_imports(text: str) -> list[tuple[int, str, str]]:
    """(level, module, local name) of the imports written at the start of a line (module level),
    cheaply; for ``from M import a, b`` also ``M.a`` and ``M.b`` (each may be a submodule)."""
    out: list[tuple[int, str, str]] = []
    for match in _IMPORT_LINE.finditer(text):
        dots, written, names, plain = match.groups()
        if plain is not None:
            out.append((0, plain, plain.partition(".")[0]))
            continue
        for item in names.split(","):
            words = item.split()
            if words:
                local = words[2] if len(words) == 3 and words[1] == "as" else words[0]
                out.append((len(dots), written, local))
                out.append((len(dots), f"{written}.{words[0]}" if written else words[0], local))
    return out


_TOP_LEVEL_CALL = re.compile(r"^(?:[\w.]+[ \t]*=[ \t]*)?([A-Za-z_]\w*)[\w.]*[ \t]*\(", re.MULTILINE)


def _top_level_calls(text: str) -> set[str]:
    """The names whose attributes or selves are called by statements written at the start of a line
    (``f()``, ``x = m.f()``): what a module calls when it is imported, cheaply (calls nested in
    ``if``, ``try`` or ``with`` blocks at module level are not seen)."""
    return {match.group(1) for match in _TOP_LEVEL_CALL.finditer(text)}


def may_import_tree(text: str) -> bool:
    """Whether a module-level import of ``text`` may name a module of a project tree (a relative one,
    or one outside the standard library and the modelled libraries): a cheap test a front door makes
    before it looks for the file's project."""
    return any(level or in_tree_candidate(module) for level, module, _ in _top_level_imports(text))


def _prefixes(module: str) -> list[str]:
    """``a.b.c`` and the packages above it (importing ``a.b.c`` runs each ``__init__``), longest
    first."""
    parts = [p for p in module.split(".") if p]
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
