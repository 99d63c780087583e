"""Names and imports, for fixes that add an import: the spelling of a name at a node, where to insert
an import, and whether an import is still used."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from mplint.model.names import BindingKind, Scope
from mplint.model.syntax import root_name

if TYPE_CHECKING:
    from mplint.model.names import Names
    from mplint.model.tree import Tree


@dataclass(eq=False)
class Importer:
    """Import spellings and anchors for fixes (see the module docstring)."""

    tree: Tree
    names: Names

    def import_spelling(
        self, qualname: str, at: cst.CSTNode
    ) -> Optional[tuple[str, Optional[str]]]:
        """How to spell ``qualname`` (``"queue.Full"``) at ``at``: (text, import line to add or None).

        An import of the name or of its module that is visible there is reused; else ``import module``
        when the module name is free, else ``from module import name`` when the name is free.
        """
        module, _, attr = qualname.rpartition(".")
        candidates: list[str] = []
        scope: Optional[Scope] = self.names.scope_of(at)
        while scope is not None:
            for name, bindings in scope.bindings.items():
                if any(b.how is BindingKind.IMPORT for b in bindings) and name not in candidates:
                    candidates.append(name)
            scope = scope.parent
        for name in candidates:
            if self.names.visible_import(name, at) == qualname:
                return name, None
        for name in candidates:
            if module and self.names.visible_import(name, at) == module:
                return f"{name}.{attr}", None
        if module and "." not in module and self.names.name_is_free(module, at):
            return qualname, f"import {module}"
        if module and self.names.name_is_free(attr, at):
            return attr, f"from {module} import {attr}"
        if "." in module:  # ``concurrent.futures.TimeoutError``, whose name is a builtin's
            top = module.partition(".")[0]
            if self._imports_module(top, module, at):
                return qualname, None
            if self.names.name_is_free(top, at):
                return qualname, f"import {module}"
        return None

    def _imports_module(self, top: str, module: str, at: cst.CSTNode) -> bool:
        """``top`` is bound at ``at`` only by imports, one of them ``import <module>`` itself."""
        bindings = self.names.lookup(top, at)
        if not bindings or any(b.how is not BindingKind.IMPORT for b in bindings):
            return False
        return any(
            isinstance(b.node, cst.ImportAlias)
            and b.node.asname is None
            and get_full_name_for_node(b.node.name) == module
            for b in bindings
        )

    def import_anchor(self) -> Optional[tuple[cst.CSTNode, bool]]:
        """Where a new module-level import goes: ``(statement, True)`` to insert it after the last
        import of the module's leading imports, ``(statement, False)`` to insert it before the first
        statement after the docstring and ``from __future__`` imports when there are no imports."""
        last_import: Optional[cst.CSTNode] = None
        for index, statement in enumerate(self.tree.module.body):
            small = (
                statement.body[0]
                if isinstance(statement, cst.SimpleStatementLine) and statement.body
                else None
            )
            if (
                index == 0
                and isinstance(small, cst.Expr)
                and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
            ):
                continue
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                last_import = statement
                continue
            if last_import is not None:
                return last_import, True
            return statement, False
        return (last_import, True) if last_import is not None else None

    def import_used_elsewhere(self, name: cst.Name, excluding: Iterable[cst.CSTNode] = ()) -> bool:
        """Whether the import that ``name`` reads has readers other than ``name`` and ``excluding``
        (True when ``name`` does not read an import): rewriting ``name`` away leaves no unused import."""
        bindings = self.names.lookup(name.value, name)
        if not bindings or any(b.how is not BindingKind.IMPORT for b in bindings):
            return True
        skip = set(excluding)
        for other in self.tree.name_uses(name.value):
            if other is name or other in skip:
                continue
            if isinstance(self.tree.small_statement_of(other), (cst.Import, cst.ImportFrom)):
                continue
            parent = self.tree.parents.get(other)
            if isinstance(parent, cst.Attribute) and parent.attr is other:
                continue
            if self.names.lookup(other.value, other) is bindings:
                return True
        return False

    def import_kept(
        self,
        expr: cst.BaseExpression,
        replacement: str,
        rewritten: Iterable[Optional[cst.Name]] = (),
    ) -> bool:
        """Whether replacing ``expr`` (``queue.Empty``, ``Queue``) with the text ``replacement`` leaves the
        import ``expr`` reads (if any) in use: ``replacement`` starts with the same name, or the import
        has readers besides ``expr`` and ``rewritten`` (the names the other rewrites of the same fixes
        remove; None entries are skipped)."""
        root = root_name(expr)
        if root is None or replacement.split(".", 1)[0] == root.value:
            return True
        return self.import_used_elsewhere(root, (n for n in rewritten if n is not None))
