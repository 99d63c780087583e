"""The settings a lint runs with: the frozen :class:`Config`, the start methods and the defaults.

This module imports nothing from mplint: the rules, the engine and every front door can read the settings
without importing how they are found and validated (:mod:`mplint.config`).
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

__all__ = ["DEFAULT_EXCLUDE", "START_METHODS", "Config"]

START_METHODS = ("portable", "fork", "spawn", "forkserver")

DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".mplint_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "__pycache__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("MPL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    preview: bool = False
    fixable: tuple[str, ...] = ("MPL",)
    unfixable: tuple[str, ...] = ()
    start_method: str = "portable"
    #: The oldest Python the code must run on (``py39`` ...): ``target-version``, else the lowest version
    #: ``[project] requires-python`` allows (see ``mplint.config``); None when neither says.
    target_version: Optional[str] = None
    force_exclude: bool = False
    #: The per-file budget (0: no limit). A file over it is reported as not checked (``MPL005``):
    #: its size in bytes (UTF-8), its number of lines, the seconds its check may take (the command line
    #: abandons it then; see ``mplint.runner``).
    max_file_bytes: int = 10_000_000
    max_file_lines: int = 100_000
    file_time_limit: float = 60.0
    #: The directory holding the pyproject.toml the settings came from (per-file-ignores are relative).
    root: Optional[str] = None
    source: Optional[str] = None
    extras: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def default_start_method(self) -> Optional[str]:
        """The start method assumed where the code does not choose one; None = portable."""
        return None if self.start_method == "portable" else self.start_method

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """Codes that per-file-ignores turns off for ``path``."""
        if not self.per_file_ignores:
            return ()
        relative = _relative(path, self.root)
        name = os.path.basename(path)
        absolute = os.path.abspath(path).replace(os.sep, "/")
        out: list[str] = []
        for pattern, codes in self.per_file_ignores:
            if (
                fnmatch.fnmatch(relative, pattern)
                or fnmatch.fnmatch(name, pattern)
                or (os.path.isabs(pattern) and fnmatch.fnmatch(absolute, pattern))
            ):
                out.extend(codes)
        return tuple(out)

    def is_excluded(self, path: str) -> bool:
        """The path, relative to the project root, or one of its components matches an exclude pattern
        (``fnmatch`` rules, as ruff's ``exclude``)."""
        matcher = _matcher((*self.exclude, *self.extend_exclude))
        if matcher is None:
            return False
        relative = _relative(path, self.root)
        return any(matcher(part) for part in (relative, *Path(relative).parts))

    def excludes_entry(self, path: str) -> bool:
        """While walking a directory: the entry's own name or its path relative to the project root
        matches an exclude pattern. The directories above it are not looked at (the walk did not enter
        the excluded ones), so a directory named on the command line is walked even when excluded, as
        ruff does; ``is_excluded`` (``--force-exclude``, flake8) looks at every component."""
        matcher = _matcher((*self.exclude, *self.extend_exclude))
        if matcher is None:
            return False
        return bool(matcher(os.path.basename(path)) or matcher(_relative(path, self.root)))

    def cache_key(self) -> str:
        data = (
            self.select,
            self.ignore,
            self.extend_select,
            self.per_file_ignores,
            self.preview,
            self.start_method,
            self.target_version,
            # whether a diagnostic carries its fix, and where per-file-ignores patterns are rooted
            self.fixable,
            self.unfixable,
            self.root,
            self.max_file_bytes,
            self.max_file_lines,
        )
        return repr(data)


@functools.lru_cache(maxsize=64)
def _matcher(patterns: tuple[str, ...]) -> Optional[Callable[[str], object]]:
    """One compiled expression for all the patterns: a match of any of them (as ``fnmatch.fnmatch``,
    which also folds case where the platform does)."""
    if not patterns:
        return None
    compiled = re.compile(
        "|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in patterns)
    )
    return lambda name: compiled.match(os.path.normcase(name))


def _relative(path: str, root: Optional[str]) -> str:
    absolute = os.path.abspath(path)
    base = os.path.abspath(root) if root else os.getcwd()
    prefix = base if base.endswith(os.sep) else base + os.sep
    if len(absolute) > len(prefix) and absolute.startswith(prefix):  # the common case: no relpath
        return absolute[len(prefix) :].replace(os.sep, "/")
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        return absolute.replace(os.sep, "/")
    if relative.startswith(".."):
        return absolute.replace(os.sep, "/")
    return relative.replace(os.sep, "/")
