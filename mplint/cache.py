"""Results cache: diagnostics keyed by (mplint version, effective configuration, file path, file content).

Entries live in ``.mplint_cache/`` (or ``--cache-dir``), one small JSON file each, written atomically
(temporary file and rename), so concurrent runs never read a half-written entry. The directory holds a
``.gitignore`` of ``*``. A changed file, setting or mplint version simply misses; ``mplint clean``
removes the directory.

A warm run need not read the files: the stat index (:class:`StatIndex`, one file per mplint build)
remembers for each path the size and modification time it had when it was last read, with the key of
its results and its ``# noqa`` warnings. A file whose ``stat`` still shows them is answered without
being opened (as ruff does); any other is read and looked up by its content, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from mplint import __version__
from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Related, Severity
from mplint.settings import Config

if TYPE_CHECKING:
    from mplint.project import Dependency

__all__ = ["DEFAULT_CACHE_DIR", "Cache", "Stamp", "StatIndex", "clean", "rules_fingerprint"]

DEFAULT_CACHE_DIR = ".mplint_cache"


def rules_fingerprint() -> str:
    """Changes whenever the rule modules change (an edited rule must not serve stale results)."""
    import mplint

    root = Path(mplint.__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*.py")):
        with contextlib.suppress(OSError):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


class Cache:
    def __init__(self, directory: str = DEFAULT_CACHE_DIR) -> None:
        self.directory = Path(directory)
        self._fingerprint: Optional[str] = None
        self._ready = False
        self._index: Optional[StatIndex] = None
        self._digests: dict[str, str] = {}

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = rules_fingerprint()
        return self._fingerprint

    def key(self, path: str, data: bytes, config: Config) -> str:
        digest = hashlib.sha256()
        for part in (self.fingerprint, config.cache_key(), os.path.normpath(path)):
            digest.update(part.encode())
            digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def settings_digest(self, config: Config) -> str:
        """A short digest of the settings that change a file's results."""
        settings = config.cache_key()
        digest = self._digests.get(settings)
        if digest is None:
            digest = self._digests[settings] = hashlib.sha256(settings.encode()).hexdigest()[:16]
        return digest

    def stat_index(self) -> StatIndex:
        """The stat index of this mplint build (loaded once; ``save()`` writes it back)."""
        if self._index is None:
            self._index = StatIndex(self.directory / f"stat-{self.fingerprint}.json")
        return self._index

    def save(self) -> None:
        """Write the stat index back if this run changed it."""
        if self._index is not None and self._index.changed:
            with contextlib.suppress(OSError):
                self._prepare()
            self._index.save()

    def _entry(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key[2:]}.json"

    def get(self, key: str) -> Optional[list[Diagnostic]]:
        """The results kept under ``key``, or None: none kept, or a module of the project they were
        computed with (``put``'s ``dependencies``) has changed since."""
        try:
            with open(self._entry(key), encoding="utf-8") as handle:
                raw = json.load(handle)
            if isinstance(raw, dict):
                if not all(_unchanged(*dependency) for dependency in raw["dependencies"]):
                    return None
                raw = raw["diagnostics"]
            return [_from_json(item) for item in raw]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(
        self,
        key: str,
        diagnostics: list[Diagnostic],
        dependencies: tuple[Dependency, ...] = (),
    ) -> None:
        """Keep a file's results; ``dependencies``: the modules of its project they depend on."""
        try:
            self._prepare()
            entry = self._entry(key)
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            content: Any = [_to_json(d) for d in diagnostics]
            if dependencies:
                content = {
                    "diagnostics": content,
                    "dependencies": [[d.path, d.size, d.mtime_ns, d.digest] for d in dependencies],
                }
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(content, handle)
            os.replace(temp, entry)
        except OSError:
            pass  # a read-only checkout simply runs without a cache

    def _prepare(self) -> None:
        if self._ready:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by mplint: results cache, safe to delete.\n*\n")
        self._ready = True


class Stamp(NamedTuple):
    """What ``stat`` says of a file: its size and modification time in nanoseconds."""

    size: int
    mtime_ns: int


#: A file changed less than this long before it was read may change again within the same tick of a
#: coarse clock (2 s on FAT) without its stamp changing: it is not remembered by stamp.
_RACY_NS = 2_000_000_000


class StatIndex:
    """Path -> the stamp the file had when read, the settings it was checked with, the key of its
    results (None: the byte prefilter answered, nothing was cached) and its ``# noqa`` warnings."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.changed = False
        self._started = time.time_ns()
        self._entries: dict[str, list[Any]] = {}
        try:
            with open(path, encoding="utf-8") as handle:
                raw = json.load(handle)
            if isinstance(raw, dict):
                self._entries = raw
        except (OSError, ValueError):
            pass

    @staticmethod
    def stamp(path: str) -> Optional[Stamp]:
        try:
            info = os.stat(path)
        except OSError:
            return None
        return Stamp(info.st_size, info.st_mtime_ns)

    def lookup(
        self, display: str, stamp: Optional[Stamp], settings: str
    ) -> Optional[tuple[Optional[str], list[tuple[int, str]]]]:
        """(results key, noqa warnings) if the file still has the stamp it was read with, under the
        same settings; else None (read the file)."""
        entry = self._entries.get(display)
        if stamp is None or entry is None:
            return None
        try:
            size, mtime_ns, known_settings, key, warnings = entry
            if size != stamp.size or mtime_ns != stamp.mtime_ns or known_settings != settings:
                return None
            return key, [(int(line), str(code)) for line, code in warnings]
        except (TypeError, ValueError):
            return None

    def record(
        self,
        display: str,
        stamp: Optional[Stamp],
        settings: str,
        key: Optional[str],
        warnings: list[tuple[int, str]],
    ) -> None:
        """Remember what reading the file found (nothing is remembered of a file that changed just
        before this run started: its stamp may not show the next change)."""
        if stamp is None or stamp.mtime_ns > self._started - _RACY_NS:
            if self._entries.pop(display, None) is not None:
                self.changed = True
            return
        entry = [stamp.size, stamp.mtime_ns, settings, key, [list(w) for w in warnings]]
        if self._entries.get(display) != entry:
            self._entries[display] = entry
            self.changed = True

    def save(self) -> None:
        """Write atomically (another run may be writing too: the last one wins, every entry is still
        checked against the file's stamp when read)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._entries, handle, separators=(",", ":"))
            os.replace(temp, self.path)
            self.changed = False
        except OSError:
            pass


def _unchanged(path: str, size: int, mtime_ns: int, digest: str) -> bool:
    """A module of the project still has the content it had: the same stamp (then it is not read),
    or the same bytes; a file an import looked for in vain (``size`` -1) is still missing."""
    if size < 0:
        return not os.path.isfile(path)
    stamp = StatIndex.stamp(path)
    if stamp is None:
        return False
    if stamp == Stamp(size, mtime_ns):
        return True
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest() == digest
    except OSError:
        return False


def clean(directory: str = DEFAULT_CACHE_DIR) -> bool:
    """Remove the cache directory; True if there was one."""
    path = Path(directory)
    if not path.is_dir():
        return False
    shutil.rmtree(path, ignore_errors=True)
    return True


def _to_json(d: Diagnostic) -> dict[str, Any]:
    fix = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "message": d.fix.message,
            "edits": [[e.line, e.column, e.end_line, e.end_column, e.content] for e in d.fix.edits],
        }
    return {
        "path": d.path,
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "severity": d.severity.value,
        "range": [d.line, d.column, d.end_line, d.end_column],
        "fix": fix,
        "url": d.url,
        "noqa_line": d.noqa_line,
        "related": [
            [r.path, r.line, r.column, r.end_line, r.end_column, r.message, r.code, r.cell]
            for r in d.related
        ],
        "cell": d.cell,
    }


def _from_json(item: dict[str, Any]) -> Diagnostic:
    fix = None
    if item["fix"] is not None:
        raw = item["fix"]
        fix = Fix(
            Applicability(raw["applicability"]),
            raw["message"],
            tuple(Edit(*edit) for edit in raw["edits"]),
        )
    line, column, end_line, end_column = item["range"]
    return Diagnostic(
        path=item["path"],
        code=item["code"],
        name=item["name"],
        message=item["message"],
        severity=Severity(item["severity"]),
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        fix=fix,
        url=item["url"],
        noqa_line=item["noqa_line"],
        related=tuple(Related(*related) for related in item.get("related", ())),
        cell=item.get("cell"),
    )
