"""Where a file stands in its project: the project root, the module name of a file, and the file an
import names.

The root of a file is its nearest ancestor directory (the file's own directory first) that holds a
``pyproject.toml``, a ``setup.cfg``, a ``setup.py`` or a ``.git``, as ruff finds the ``pyproject.toml``
that governs a file and as a checkout's tools run from its top; a file with none of them above it is
its own project, rooted in its directory.

Absolute imports are looked up, in this order, where Python would find them when the project runs: the
directory of a script that is not inside a package (``python main.py`` puts it first on ``sys.path``),
the directory above the file's outermost regular package (the ``__init__.py`` chain), ``<root>/src``
(a ``src/`` layout) and the root. Directories without ``__init__.py`` are namespace packages: a module
is found by its file alone. A name of the standard library, or of a library the rules model, is never
looked up in the tree: it stays unknown, as everything outside the tree does.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from typing import Optional

__all__ = [
    "PROCESS_IMPORT",
    "ROOT_MARKERS",
    "STARTS_WORDS",
    "find_root",
    "in_tree_candidate",
    "module_candidates",
    "module_file",
    "module_name",
    "search_roots",
]

#: Files or directories that mark a project's root.
ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")

#: A module can start processes only if it imports a library of processes.
PROCESS_IMPORT = re.compile(
    r"^[ \t]*(?:import|from)[ \t]+(?:multiprocessing|multiprocess|billiard|torch|concurrent)\b",
    re.MULTILINE,
)
#: The names without one of which a module that imports such a library starts no process.
STARTS_WORDS = re.compile(
    r"\b(?:Process|Pool|ProcessPoolExecutor|Manager|SyncManager|BaseManager|spawn|start_processes)\b"
)
#: Top-level names never resolved into the tree: the standard library and the modelled libraries.
_OUTSIDE = frozenset(sys.stdlib_module_names) | {"torch", "multiprocess", "billiard", "__future__"}


@lru_cache(maxsize=4096)
def find_root(directory: str) -> str:
    """The project root of the files in ``directory`` (an absolute, normalised path)."""
    current = directory
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in ROOT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return directory
        current = parent


def _is_package(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "__init__.py"))


def _package_base(path: str) -> Optional[str]:
    """The directory above the outermost regular package holding ``path``; None outside packages."""
    directory = os.path.dirname(path)
    if not _is_package(directory):
        return None
    while _is_package(directory):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory


def search_roots(root: str, path: str) -> tuple[str, ...]:
    """The directories absolute imports of ``path`` are looked up in, first to last."""
    found: list[str] = []
    base = _package_base(path)
    if base is None:
        found.append(os.path.dirname(path))
    else:
        found.append(base)
    for candidate in (os.path.join(root, "src"), root):
        if candidate not in found and os.path.isdir(candidate):
            found.append(candidate)
    return tuple(found)


def module_name(root: str, path: str) -> str:
    """The dotted module name of ``path``: relative to the outermost regular package's base when the
    file is in one, else to ``<root>/src`` or the root when it lies under them (namespace packages),
    else its file name. ``__init__`` names its package."""
    base = _package_base(path)
    if base is None:
        for candidate in (os.path.join(root, "src"), root):
            if path.startswith(candidate + os.sep):
                base = candidate
                break
    relative = os.path.relpath(path, base) if base is not None else os.path.basename(path)
    parts = relative[: -len(".py")].split(os.sep) if relative.endswith(".py") else [relative]
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def in_tree_candidate(module: str) -> bool:
    """Whether ``module`` may name a module of the tree (not the standard library's, nor a modelled
    library's)."""
    return bool(module) and module.partition(".")[0] not in _OUTSIDE


def module_file(roots: tuple[str, ...], module: str) -> Optional[str]:
    """The file of ``module`` under the first of ``roots`` that has it (``a/b.py`` or
    ``a/b/__init__.py``), or None."""
    return next((c for c in module_candidates(roots, module) if os.path.isfile(c)), None)


def module_candidates(roots: tuple[str, ...], module: str) -> list[str]:
    """The files that would be ``module``, in the order Python looks for them under ``roots``
    (``a/b.py``, then ``a/b/__init__.py``, under each root); empty outside the tree."""
    if not in_tree_candidate(module):
        return []
    relative = os.path.join(*module.split("."))
    return [
        os.path.join(base, candidate)
        for base in roots
        for candidate in (relative + ".py", os.path.join(relative, "__init__.py"))
    ]


def absolute_module(
    current: str, is_package: bool, level: int, module: Optional[str]
) -> Optional[str]:
    """The absolute name a relative import (``level`` dots, then ``module``) of the module ``current``
    names; None when it climbs above the top package."""
    parts = current.split(".") if current else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        if level - 1 > len(parts):
            return None
        parts = parts[: len(parts) - (level - 1)]
    if module:
        parts = [*parts, *module.split(".")]
    return ".".join(parts) if parts else None
