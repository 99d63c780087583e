"""What names imported from other modules of the project stand for, read from their summaries.

Without a project (``Model(..., project=None)``) every imported name is unknown, as it always was. With
one, a name bound by an import (absolute or relative, through re-exports in ``__init__.py``) that
resolves to a module of the tree is answered from that module's summary (:mod:`mplint.project`):
its functions (arity, exits, process starts, global writes), the module's variables, and what its
objects are: a module-level lock, queue or pool is of its kind, a call of a factory returns the kind
the factory returns, and a call of a class derived from a library class (a ``Process`` subclass)
makes an instance of that class, whose ``Kind.cls`` is the class's absolute dotted name
(``app.workers.Crawler``; :meth:`ImportedNames.class_facts` gives its facts). Names from outside the
tree stay unknown.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.kinds import Kind, KindName
from mplint.model.names import BindingKind, Names
from mplint.model.syntax import dotted_name
from mplint.model.tree import Tree

if TYPE_CHECKING:
    from mplint.project import (
        ClassFacts,
        FunctionFacts,
        Imported,
        KindFacts,
        ModuleSummary,
        Project,
    )

__all__ = ["ImportedNames"]


class ImportedNames:
    """The facts of imported names (see the module docstring)."""

    def __init__(self, tree: Tree, names: Names, project: Optional[Project]) -> None:
        self.tree = tree
        self.names = names
        self.project = project
        self._memo: dict[cst.CSTNode, Optional[Imported]] = {}
        self._functions: dict[cst.CSTNode, Optional[tuple[FunctionFacts, ModuleSummary]]] = {}

    def display_path(self, summary: ModuleSummary, path: Optional[str] = None) -> str:
        """The path of a summarised module (or of ``path``, a file a composed fact lies in) as the
        linted file's path is written: relative (to the working directory) when it is relative,
        else absolute."""
        where = path if path is not None else summary.path
        if os.path.isabs(self.tree.path):
            return where
        try:
            return os.path.relpath(where)
        except ValueError:  # another drive
            return where

    def qualname(self, expr: cst.BaseExpression) -> Optional[str]:
        """The absolute dotted name ``expr`` stands for through imports, relative imports included
        (``from .tasks import work``: ``pkg.tasks.work``); None when unknown."""
        if isinstance(expr, cst.Attribute):
            base = self.qualname(expr.value)
            return f"{base}.{expr.attr.value}" if base is not None else None
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.names.lookup(expr.value, expr)
        if len(bindings) != 1 or bindings[0].how is not BindingKind.IMPORT:
            return None
        binding = bindings[0]
        if binding.qualname is not None:
            return binding.qualname
        alias = binding.node
        statement = self.tree.parent(alias)
        if (
            self.project is None
            or not isinstance(alias, cst.ImportAlias)
            or not isinstance(statement, cst.ImportFrom)
            or not isinstance(alias.name, cst.Name)
            or not statement.relative
        ):
            return None
        written = dotted_name(statement.module) if statement.module is not None else None
        base = self.project.absolute(self.tree.path, len(statement.relative), written)
        return f"{base}.{alias.name.value}" if base is not None else None

    def lookup(self, expr: cst.BaseExpression) -> Optional[Imported]:
        """The summary and name of the project module's definition ``expr`` stands for, or None."""
        if self.project is None or not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        try:
            return self._memo[expr]
        except KeyError:
            pass
        qualname = self.qualname(expr)
        found = self.project.lookup(self.tree.path, qualname) if qualname is not None else None
        self._memo[expr] = found
        return found

    def function(self, expr: cst.BaseExpression) -> Optional[tuple[FunctionFacts, ModuleSummary]]:
        """The facts of the imported function (or lambda-bound name) ``expr`` names, with what the
        functions of other modules it calls do (``Project.function``)."""
        if self.project is None or not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        try:
            return self._functions[expr]
        except KeyError:
            pass
        qualname = self.qualname(expr)
        found = self.project.function(self.tree.path, qualname) if qualname is not None else None
        self._functions[expr] = found
        return found

    def _may_bind_kind(self, expr: cst.BaseExpression) -> bool:
        """The module ``expr`` is read from may give it a kind (see ``Project.may_bind_kind``)."""
        if self.project is None or not isinstance(expr, (cst.Name, cst.Attribute)):
            return False
        qualname = self.qualname(expr)
        return qualname is not None and self.project.may_bind_kind(self.tree.path, qualname)

    def object_kind(self, expr: cst.BaseExpression) -> Optional[Kind]:
        """The kind of the module-level object of another module ``expr`` names (``from app.shared
        import lock``, ``shared.jobs``)."""
        found = self.lookup(expr) if self._may_bind_kind(expr) else None
        if found is None:
            return None
        facts = found.summary.object(found.name)
        return _kind(facts.kind) if facts is not None else None

    def call_kind(self, func: cst.BaseExpression) -> Optional[Kind]:
        """What a call of ``func`` makes, when ``func`` names a factory of another module (the kind
        it returns) or a class derived from a library class (an instance of it); no creator."""
        found = self.lookup(func) if self._may_bind_kind(func) else None
        if found is None:
            return None
        function = found.summary.function(found.name)
        if function is not None:
            return _kind(function.returns) if function.returns is not None else None
        cls = found.summary.cls(found.name)
        if cls is None or cls.base is None:
            return None
        base = _kind(cls.base)
        if base is None:
            return None
        return Kind(
            base.name,
            family=base.family,
            method=base.method,
            cls=f"{found.summary.module}.{found.name}",
        )

    def class_facts(self, kind: Kind) -> Optional[ClassFacts]:
        """The facts of the class of another module an instance's kind names (see :meth:`call_kind`);
        None for a class of this module, or none."""
        if self.project is None or kind.cls is None or "." not in kind.cls:
            return None
        found = self.project.lookup(self.tree.path, kind.cls)
        return found.summary.cls(found.name) if found is not None else None


def _kind(facts: KindFacts) -> Optional[Kind]:
    try:
        name = KindName(facts.name)
    except ValueError:  # a summary of another version of the kinds
        return None
    return Kind(name, family=facts.family, method=facts.method, proxy=facts.proxy)
