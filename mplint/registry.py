"""Finds every rule under ``mplint.rules`` and selects them by code, code prefix or name (the selector
logic, and the table of codes that needs no rule imported, are in :mod:`mplint.codes`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import Optional

from mplint.codes import matches, specificity, unknown_selectors
from mplint.rule import CODE_RE, NAME_RE, LintRule

__all__ = ["all_rules", "enabled_rules", "rule_by_code", "unknown_selectors"]

_RULES: Optional[tuple[type[LintRule], ...]] = None


def all_rules() -> tuple[type[LintRule], ...]:
    """Every rule class, sorted by code (discovered with pkgutil: no hand-kept list)."""
    global _RULES
    if _RULES is None:
        import mplint.rules as package

        found: dict[str, type[LintRule]] = {}
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue  # helpers the rules share (``_helpers``), not rules
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, LintRule)
                    and value is not LintRule
                    and value.__module__ == module.__name__
                ):
                    if not CODE_RE.match(value.CODE) or not NAME_RE.match(value.NAME):
                        raise TypeError(f"{value.__name__}: bad CODE or NAME")
                    if value.CODE in found:
                        raise TypeError(f"duplicate rule code {value.CODE}")
                    found[value.CODE] = value
        _RULES = tuple(found[code] for code in sorted(found))
    return _RULES


def rule_by_code(code: str) -> Optional[type[LintRule]]:
    """The rule with this code or name."""
    for rule in all_rules():
        if code.upper() == rule.CODE or code == rule.NAME:
            return rule
    return None


def _matches(selector: str, rule: type[LintRule]) -> bool:
    return matches(selector, rule.CODE, rule.NAME)


def enabled_rules(
    select: Iterable[str],
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    preview: bool = False,
) -> list[type[LintRule]]:
    """Rules chosen by select/extend-select minus ignore; preview rules need ``preview``.

    A preview rule selected by its exact code or name is enabled only with ``preview`` too (ruff's way).
    The more specific selector wins between select and ignore (``ignore = ["MPL1"]`` with
    ``select = ["MPL101"]`` keeps MPL101).
    """
    chosen = [*select, *extend_select]
    ignored = list(ignore)
    out: list[type[LintRule]] = []
    for rule in all_rules():
        if rule.PREVIEW and not preview:
            continue
        best_select = max((specificity(s) for s in chosen if _matches(s, rule)), default=-1)
        if best_select < 0:
            continue
        best_ignore = max((specificity(s) for s in ignored if _matches(s, rule)), default=-1)
        if best_ignore >= best_select:
            continue
        out.append(rule)
    return out
