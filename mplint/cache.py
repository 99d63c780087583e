"""Results cache: diagnostics keyed by (mplint version, effective configuration, file path, file content).

Entries live in ``.mplint_cache/`` (or ``--cache-dir``), one small JSON file each, written atomically
(temporary file and rename), so concurrent runs never read a half-written entry. The directory holds a
``.gitignore`` of ``*``. A changed file, setting or mplint version simply misses; ``mplint clean``
removes the directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Optional

from mplint import __version__
from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Related, Severity
from mplint.settings import Config

__all__ = ["DEFAULT_CACHE_DIR", "Cache", "clean"]

DEFAULT_CACHE_DIR = ".mplint_cache"


def _rules_fingerprint() -> str:
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

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = _rules_fingerprint()
        return self._fingerprint

    def key(self, path: str, data: bytes, config: Config) -> str:
        digest = hashlib.sha256()
        for part in (self.fingerprint, config.cache_key(), os.path.normpath(path)):
            digest.update(part.encode())
            digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key[2:]}.json"

    def get(self, key: str) -> Optional[list[Diagnostic]]:
        try:
            with open(self._entry(key), encoding="utf-8") as handle:
                raw = json.load(handle)
            return [_from_json(item) for item in raw]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, diagnostics: list[Diagnostic]) -> None:
        try:
            self._prepare()
            entry = self._entry(key)
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump([_to_json(d) for d in diagnostics], handle)
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
