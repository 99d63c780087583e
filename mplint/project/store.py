"""Module summaries on disk: computed from a module's text, or read from the cache directory
(``summaries/`` beside the results, one JSON file per key: mplint's rule fingerprint, the default start
method, the module's name and path, and the file's bytes), written atomically."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from typing import Optional

from mplint.project.summary import ModuleSummary


class SummaryStore:
    """The summaries of one project's modules by content; None for ``cache_dir`` keeps none on disk."""

    def __init__(self, cache_dir: Optional[str], default_start_method: Optional[str]) -> None:
        self.cache_dir = cache_dir
        self.default_start_method = default_start_method
        self._fingerprint: Optional[str] = None

    def load(self, path: str, module: str) -> Optional[ModuleSummary]:
        from mplint.source import SourceError, decode_source

        try:
            with open(path, "rb") as handle:
                data = handle.read()
            text = decode_source(data, path)[0]
        except (OSError, SourceError):
            return None
        return self.summarize(path, module, text, data)

    def summarize(self, path: str, module: str, text: str, data: bytes) -> Optional[ModuleSummary]:
        """The summary of ``text`` (``data``: its bytes), from the cache directory or computed."""
        from mplint.project.summarize import calls_reader, summarize_text

        key = self._cache_key(module, path, data)
        cached = self._from_disk(key)
        if cached is not None:
            return cached.read_calls_with(calls_reader(path, module, text))
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
