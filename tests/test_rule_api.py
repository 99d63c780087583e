"""The rule API: the whole-module hook ``check()``, ``snippet()``, triple-quoted cases, the shared
subtree walker, and the registry skipping the helper modules of ``mplint.rules``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, ClassVar

import libcst as cst
import libcst.matchers as m
import pytest

import mplint.rules
from mplint import registry
from mplint.config import Config
from mplint.diagnostics import INTERNAL_ERROR
from mplint.engine import lint_source
from mplint.model import build_model
from mplint.rule import Invalid, LintRule, RuleContext, Valid
from mplint.rules._helpers import descendants, expression_line

SOURCE = "import multiprocessing\n\nmultiprocessing.Process(target=print).start()\n"

#: What the probe rules below saw, in order.
SEEN: list[str] = []


class _Probe(LintRule):
    CODE = "MPL990"
    NAME = "probe"
    MESSAGE = "{what}"
    VALID: ClassVar[list[Valid]] = []


class _ChecksOnly(_Probe):
    def check(self) -> None:
        SEEN.append("check")
        self.report(self.model.module.body[0], what="checked")


class _VisitsAndChecks(_Probe):
    def visit_Call(self, node: cst.Call) -> None:
        SEEN.append("visit_Call")

    def leave_Module(self, original_node: cst.Module) -> None:
        SEEN.append("leave_Module")

    def check(self) -> None:
        SEEN.append("check")


class _VisitsOnly(_Probe):
    def visit_Call(self, node: cst.Call) -> None:
        SEEN.append("visit_Call")


class _Neither(_Probe):
    pass


class _CrashesInVisit(_Probe):
    def visit_Call(self, node: cst.Call) -> None:
        raise RuntimeError("boom")

    def check(self) -> None:
        SEEN.append("check")


def _run(rule: type[LintRule]) -> list[str]:
    SEEN.clear()
    found = lint_source("x.py", SOURCE, Config(), rules=[rule])
    return [d.code + ":" + d.message for d in found]


def _visitors(rule: type[LintRule]) -> set[str]:
    model = build_model(cst.parse_module(SOURCE), "x.py", None)
    return set(rule(RuleContext("x.py", model, Config())).get_visitors())


def test_check_runs_once_after_the_traversal() -> None:
    assert _run(_ChecksOnly) == ["MPL990:checked"]
    assert SEEN == ["check"]
    assert _visitors(_ChecksOnly) == {"leave_Module"}


def test_check_runs_after_the_rules_own_leave_module() -> None:
    _run(_VisitsAndChecks)
    assert SEEN == ["visit_Call", "visit_Call", "leave_Module", "check"]


def test_a_rule_without_check_runs_its_visitors_only() -> None:
    _run(_VisitsOnly)
    assert SEEN == ["visit_Call", "visit_Call"]
    assert _visitors(_VisitsOnly) == {"visit_Call"}


def test_a_rule_with_neither_has_no_visitor() -> None:
    assert _run(_Neither) == []
    assert _visitors(_Neither) == set()


def test_check_does_not_run_after_a_visitor_crashed() -> None:
    found = _run(_CrashesInVisit)
    assert SEEN == []
    assert len(found) == 1 and found[0].startswith(INTERNAL_ERROR + ":")
    assert "RuntimeError: boom" in found[0]


def test_every_registered_rule_has_a_check_or_visitors() -> None:
    for rule in registry.all_rules():
        assert rule._checks or rule._visitor_names, rule.CODE


@pytest.mark.parametrize(
    "decorator",
    [
        m.visit(m.Call()),
        m.leave(m.Call()),
        m.call_if_inside(m.Call()),
        m.call_if_not_inside(m.Call()),
    ],
)
def test_matcher_decorators_are_refused(decorator: Callable[[Any], Any]) -> None:
    def on_call(self: LintRule, node: cst.Call) -> None:
        pass

    with pytest.raises(TypeError, match=r"^_Matching\.on_call: matcher decorators do not run"):
        type("_Matching", (_Probe,), {"on_call": decorator(on_call)})


ONCE_SOURCE = 'import multiprocessing\n\nf("a")\nf("b")\nf("a")\n'


class _ReportsOnce(_Probe):
    """Reports each call of ``f`` under the key its argument spells: twice the same key, one report."""

    def check(self) -> None:
        for call in self.model.tree.calls:
            key = self.code_for(call.args[0].value)
            before = self.reported(key)
            made = self.report(call, once=key, what=f"f {key}")
            SEEN.append(f"{key} {before} {made}")


def _once_run() -> list[tuple[int, int, int, int, str]]:
    found = lint_source("x.py", ONCE_SOURCE, Config(), rules=[_ReportsOnce])
    return [(d.line, d.column, d.end_line, d.end_column, d.message) for d in found]


def test_a_key_reported_once_gives_one_diagnostic_and_different_keys_one_each() -> None:
    SEEN.clear()
    assert _once_run() == [(3, 1, 3, 7, 'f "a"'), (4, 1, 4, 7, 'f "b"')]
    # ``reported`` answers before the report; ``report`` says whether it was made
    assert SEEN == ['"a" False True', '"b" False True', '"a" True False']


def test_the_keys_reported_once_start_empty_for_each_module() -> None:
    SEEN.clear()
    first = _once_run()
    second = _once_run()
    assert first == second == [(3, 1, 3, 7, 'f "a"'), (4, 1, 4, 7, 'f "b"')]
    assert SEEN == ['"a" False True', '"b" False True', '"a" True False'] * 2


def test_a_report_without_once_is_always_made() -> None:
    module = cst.parse_module(ONCE_SOURCE)
    context = RuleContext("x.py", build_model(module, "x.py", None), Config())
    rule = _Neither(context)
    statement = module.body[1]
    assert isinstance(statement, cst.SimpleStatementLine)
    assert rule.report(statement, what="x") is True
    assert rule.report(statement, what="x") is True
    assert len(context.reports) == 2
    assert not rule.reported(statement)


@pytest.mark.parametrize(
    ("code", "width", "expected"),
    [
        ("f(a,\n      b)", 40, "f(a, b)"),
        ("x" * 40, 40, "x" * 40),
        ("x" * 41, 40, "x" * 37 + "..."),
        ("x" * 31, 30, "x" * 27 + "..."),
        ("g(  'a  b'  )", 40, "g( 'a b' )"),
    ],
)
def test_snippet(code: str, width: int, expected: str) -> None:
    module = cst.parse_module(f"{code}\n")
    model = build_model(module, "x.py", None)
    rule = _Neither(RuleContext("x.py", model, Config()))
    statement = module.body[0]
    assert isinstance(statement, cst.SimpleStatementLine)
    assert rule.snippet(statement.body[0], width=width) == expected


def test_cases_dedent_triple_quoted_blocks() -> None:
    case = Invalid(
        """
        def f():

            return 1
        """,
        fixed="""
        x = 1
        """,
    )
    assert case.code == "def f():\n\n    return 1\n"
    assert case.fixed == "x = 1\n"
    assert (
        Valid(
            """
        x = 1
        """
        ).code
        == "x = 1\n"
    )


def test_cases_keep_other_code_as_it_is() -> None:
    assert Valid("  x = 1\n  \n").code == "  x = 1\n  \n"
    assert Invalid("x = 1", fixed=" y\n").fixed == " y\n"
    assert Invalid("x = 1").fixed is None


def test_descendants() -> None:
    module = cst.parse_module("def f():\n    def g():\n        a\n    b\n")
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef)
    names = [n.value for n in descendants(function) if isinstance(n, cst.Name)]
    assert names == ["f", "g", "a", "b"]
    shallow = list(descendants(function, enter_scopes=False))
    assert shallow[0] is function
    assert [n.value for n in shallow if isinstance(n, cst.Name)] == ["f", "b"]
    assert any(isinstance(n, cst.FunctionDef) and n.name.value == "g" for n in shallow)


def test_expression_line() -> None:
    module = cst.parse_module("p.start()\np.start(); q = 1\nx = p.start()\n")
    alone, shared, assigned = module.body
    assert isinstance(alone, cst.SimpleStatementLine)
    assert isinstance(shared, cst.SimpleStatementLine)
    call = alone.body[0]
    assert isinstance(call, cst.Expr)
    assert expression_line(alone, call.value) is alone
    assert expression_line(None, call.value) is None
    first = shared.body[0]
    assert isinstance(first, cst.Expr)
    assert expression_line(shared, first.value) is None, "another statement on the line"
    assert expression_line(assigned, call.value) is None, "not that expression"


def test_the_registry_skips_underscore_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = registry.all_rules()
    (tmp_path / "_broken.py").write_text("raise RuntimeError('a helper module was imported')\n")
    (tmp_path / "probe_rule.py").write_text("IMPORTED = True\n")
    monkeypatch.setattr(mplint.rules, "__path__", [*mplint.rules.__path__, str(tmp_path)])
    monkeypatch.setattr(registry, "_RULES", None)
    try:
        rules = registry.all_rules()
        assert "mplint.rules.probe_rule" in sys.modules, "the registry imports the other modules"
    finally:
        sys.modules.pop("mplint.rules.probe_rule", None)
        sys.modules.pop("mplint.rules._broken", None)
    assert rules == expected
