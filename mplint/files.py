"""Which files to check: discovery under the given paths, excludes, ``.gitignore``, and the byte prefilter."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from mplint.api_table import PREFILTER_WORDS
from mplint.settings import Config

__all__ = ["Candidate", "could_have_findings_bytes", "discover"]

PYTHON_SUFFIXES = (".py", ".pyi")
#: What a directory walk checks: Python files and Jupyter notebooks.
CHECKED_SUFFIXES = (*PYTHON_SUFFIXES, ".ipynb")

#: Finds the configuration that applies to a path (the CLI caches it per directory).
ConfigLookup = Callable[[str], Config]


def could_have_findings_bytes(data: bytes) -> bool:
    """The byte prefilter: the same words as the engine's text prefilter (they are ASCII)."""
    return any(word in data for word in PREFILTER_WORDS)


@dataclass(frozen=True)
class Candidate:
    path: str
    explicit: bool  # named on the command line (checked even when its suffix is not .py)


class _GitIgnore:
    """A small reader of ``.gitignore`` files: patterns, negation, directory-only and anchored forms."""

    def __init__(self) -> None:
        self._cache: dict[str, list[tuple[str, bool, bool, bool]]] = {}

    def _patterns(self, directory: str) -> list[tuple[str, bool, bool, bool]]:
        cached = self._cache.get(directory)
        if cached is not None:
            return cached
        patterns: list[tuple[str, bool, bool, bool]] = []
        try:
            with open(
                os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace"
            ) as f:
                for raw in f:
                    line = raw.rstrip("\n").rstrip()
                    if not line or line.startswith("#"):
                        continue
                    negate = line.startswith("!")
                    if negate:
                        line = line[1:]
                    dir_only = line.endswith("/")
                    line = line.rstrip("/")
                    anchored = "/" in line
                    patterns.append((line.lstrip("/"), negate, dir_only, anchored))
        except OSError:
            pass
        self._cache[directory] = patterns
        return patterns

    def ignored(self, path: str, is_dir: bool, roots: Sequence[str]) -> bool:
        """Whether the ``.gitignore`` files from the walk roots down to ``path``'s directory ignore it."""
        result = False
        directory = os.path.dirname(path)
        chain: list[str] = []
        current = directory
        while True:
            chain.append(current)
            if current in roots:
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for base in reversed(chain):
            relative = os.path.relpath(path, base).replace(os.sep, "/")
            name = os.path.basename(path)
            for pattern, negate, dir_only, anchored in self._patterns(base):
                if dir_only and not is_dir:
                    continue
                target = relative if anchored else name
                if fnmatch.fnmatch(target, pattern):
                    result = not negate
        return result


def discover(
    paths: Sequence[str],
    config_for: ConfigLookup,
    *,
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> Iterator[Candidate]:
    """The files to check under ``paths``, each once, in a stable order. The excludes apply to what the
    walk finds; a file or directory given explicitly is checked anyway unless ``force_exclude`` applies
    the excludes to it too (ruff's rule)."""
    seen: set[str] = set()
    gitignore = _GitIgnore()
    for given in paths:
        if force_exclude and config_for(given).is_excluded(given):
            continue
        if os.path.isdir(given):
            root = os.path.abspath(given)
            visited: set[tuple[int, int]] = set()
            for path in _walk(given, config_for, gitignore, root, respect_gitignore, visited):
                key = os.path.abspath(path)
                if key not in seen:
                    seen.add(key)
                    yield Candidate(path, explicit=False)
            continue
        key = os.path.abspath(given)
        if key in seen:
            continue
        seen.add(key)
        yield Candidate(given, explicit=True)


def _walk(
    directory: str,
    config_for: ConfigLookup,
    gitignore: _GitIgnore,
    root: str,
    respect_gitignore: bool,
    visited: set[tuple[int, int]],
) -> Iterator[str]:
    try:
        info = os.stat(directory)
    except OSError:
        return
    identity = (info.st_dev, info.st_ino)
    if identity in visited:
        return  # a symlink loop
    visited.add(identity)
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    config = config_for(directory)
    for entry in entries:
        path = entry.path
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if config.excludes_entry(path):
            continue
        if respect_gitignore and gitignore.ignored(os.path.abspath(path), is_dir, (root,)):
            continue
        if is_dir:
            yield from _walk(path, config_for, gitignore, root, respect_gitignore, visited)
        elif entry.name.endswith(CHECKED_SUFFIXES):
            yield path


def relative_display(path: str, cwd: Optional[str] = None) -> str:
    """How a path is printed: relative to the working directory when it is below it."""
    base = cwd or os.getcwd()
    try:
        relative = os.path.relpath(path, base)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def is_python_path(path: str) -> bool:
    return Path(path).suffix in PYTHON_SUFFIXES
