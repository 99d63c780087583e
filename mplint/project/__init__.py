"""Project-wide facts: what a linted file's imports from other modules of its tree stand for.

Parts:

- :mod:`~mplint.project.layout`: the project root of a file, the module name of a file, the file an
  import names (absolute and relative imports, ``src/`` layouts, namespace packages);
- :mod:`~mplint.project.summary`: a module's summary, the frozen facts other modules need, with its JSON
  round trip;
- :mod:`~mplint.project.summarize`: computing a summary from the module's own model;
- :mod:`~mplint.project.index`: :class:`Project`, the tree's modules and their summaries (computed on
  demand, cached in memory and beside the results), the lookup of an imported name through
  re-exports, and the dependencies each linted file consulted.

How a front door uses it::

    from mplint.engine import lint_source
    from mplint.project import project_for

    project = project_for(path, cache_dir)          # one Project per root, kept for the process
    project.forget(path)                             # before each lint of ``path``
    diagnostics = lint_source(path, text, config, project=project)
    dependencies = project.dependencies(path)        # the modules those results depend on

``lint_source`` without ``project`` behaves as if every other module were unknown. A front door that
learns a file changed (an editor's save) calls ``project.invalidate(path)``; a summary is otherwise
checked against the file's size and modification time each time it is asked for. Every front door
that lints a file with the project of its root gets the same findings for it. The front doors that keep
no results of their own (flake8, the language server) read and write the summaries in the cache
``mplint check`` keeps, when there is one (:func:`shared_cache_dir`); the language server gives the
project the texts of the modules open unsaved in the editor (``Project.use_texts``).
"""

from __future__ import annotations

import os
import threading
from typing import Optional

from mplint.project.index import Dependency, Imported, Project, may_import_tree
from mplint.project.layout import find_root
from mplint.project.summary import (
    ClassFacts,
    Exit,
    FunctionFacts,
    KindFacts,
    ModuleSummary,
    ObjectFacts,
    Span,
    Start,
)

__all__ = [
    "ClassFacts",
    "Dependency",
    "Exit",
    "FunctionFacts",
    "Imported",
    "KindFacts",
    "ModuleSummary",
    "ObjectFacts",
    "Project",
    "Span",
    "Start",
    "find_root",
    "may_import_tree",
    "project_for",
    "shared_cache_dir",
]

_PROJECTS: dict[tuple[str, Optional[str], Optional[str]], Project] = {}
_LOCK = threading.Lock()


def project_for(
    path: str, cache_dir: Optional[str] = None, default_start_method: Optional[str] = None
) -> Project:
    """The project of the file ``path`` (its root found as :mod:`mplint.project.layout` says), one
    object per root, cache directory and default start method for the life of the process.
    ``cache_dir`` is the results cache's directory (summaries go in its ``summaries/``); None keeps
    them in memory only."""
    directory = os.path.dirname(os.path.abspath(path))
    root = find_root(directory)
    cache = os.path.abspath(cache_dir) if cache_dir is not None else None
    key = (root, cache, default_start_method)
    with _LOCK:
        project = _PROJECTS.get(key)
        if project is None:
            project = _PROJECTS[key] = Project(root, cache, default_start_method)
        return project


def shared_cache_dir(path: str) -> Optional[str]:
    """The results cache ``mplint check`` run in the project of ``path`` keeps (``.mplint_cache`` in the
    directory of the nearest configuration file or ``pyproject.toml`` above it), if it exists: a front
    door without a cache of its own shares its summaries. None when there is none (nothing is created)."""
    from mplint.cache import DEFAULT_CACHE_DIR
    from mplint.config import find_project_root

    directory = os.path.join(str(find_project_root(os.path.abspath(path))), DEFAULT_CACHE_DIR)
    return directory if os.path.isdir(directory) else None
