"""The engine: prefilter, syntax errors, crash isolation, suppressions, configuration, positions."""

from __future__ import annotations

import ast
import sysconfig
import textwrap
from pathlib import Path
from typing import ClassVar

import libcst as cst
import pytest

from mplint.config import Config, ConfigError, apply_settings
from mplint.diagnostics import INTERNAL_ERROR, SYNTAX_ERROR
from mplint.engine import could_have_findings, lint_source
from mplint.model import Model, build_model
from mplint.positions import Positions
from mplint.registry import enabled_rules, rule_by_code, unknown_selectors
from mplint.rule import LintRule, Valid
from mplint.suppression import add_noqa_codes, noqa_line_map, parse_suppressions

BUGGY = textwrap.dedent(
    """\
    import multiprocessing as mp

    def work():
        pass

    def main():
        p = mp.Process(target=work)
        p.start()
        p.daemon = True
    """
)


def codes(text: str, config: Config | None = None, path: str = "x.py") -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in lint_source(path, text, config or Config())]


def test_reports_with_position_and_url() -> None:
    [diagnostic] = lint_source("x.py", BUGGY, Config())
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("MPL105", 9, 5)
    assert (diagnostic.end_line, diagnostic.end_column) == (9, 13)
    assert diagnostic.url is not None and diagnostic.url.endswith("rules/MPL105.md")
    assert diagnostic.fix is not None


def test_prefilter_skips_files_without_our_modules() -> None:
    assert not could_have_findings("import os\nprint(1)\n")
    assert could_have_findings("from concurrent import futures\n")
    assert lint_source("x.py", "import os\n(((\n", Config()) == []


def test_prefilter_never_changes_results_on_fixtures() -> None:
    from .conftest import FIXTURES

    for path in sorted(FIXTURES.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        config = Config(preview=True)
        with_filter = lint_source(str(path), text, config)
        without = lint_source(str(path), text, config, prefilter=False)
        assert with_filter == without, path.name


def test_syntax_error_is_a_diagnostic() -> None:
    text = "import multiprocessing\nprint 'hello'\n"
    [diagnostic] = lint_source("old.py", text, Config())
    assert diagnostic.code == SYNTAX_ERROR
    assert diagnostic.line == 2
    assert "SyntaxError" in diagnostic.message


def test_deep_nesting_does_not_crash() -> None:
    text = "import multiprocessing\nx = " + "(" * 3000 + "1" + ")" * 3000 + "\n"
    found = lint_source("deep.py", text, Config())
    assert all(d.code in (SYNTAX_ERROR, INTERNAL_ERROR) for d in found)


class _Crashes(LintRule):
    """## What it does\nCrashes.\n\n## Why is this bad?\nIt raises `RuntimeError`.\n\n## Example\n\nUse instead:\n\n## Fix safety\nNone."""

    CODE = "MPL999"
    NAME = "always-crashes"
    MESSAGE = "never"
    VALID: ClassVar[list[Valid]] = []

    def visit_Call(self, node: cst.Call) -> None:
        raise RuntimeError("boom")


def test_a_crashing_rule_is_isolated() -> None:
    others = enabled_rules(["MPL"])
    found = lint_source("x.py", BUGGY, Config(), rules=[_Crashes, *others])
    by_code = {d.code: d for d in found}
    assert "MPL105" in by_code, "the other rules still ran"
    internal = by_code[INTERNAL_ERROR]
    assert "MPL999" in internal.message and "RuntimeError: boom" in internal.message
    with pytest.raises(RuntimeError):
        lint_source("x.py", BUGGY, Config(), rules=[_Crashes], raise_errors=True)


def test_noqa_forms() -> None:
    base = BUGGY.replace("p.daemon = True", "p.daemon = True{}")
    assert codes(base.format("  # noqa: MPL105")) == []
    assert codes(base.format("  # noqa: MPL1")) == []
    assert codes(base.format("  # noqa")) == []
    assert codes(base.format("  # NOQA:MPL105,MPL101")) == []
    assert codes(base.format("  # noqa: MPL101")) == [(9, "MPL105")]
    assert codes(base.format("  # mentions noqa later")) == [(9, "MPL105")]
    assert codes("# mplint: noqa\n" + base.format("")) == []
    assert codes("# mplint: noqa: MPL105\n" + base.format("")) == []
    assert codes("# mplint: noqa: MPL201\n" + base.format("")) == [(10, "MPL105")]
    assert codes(base.format("  # noqa: MPL105").replace("pass", 's = "# noqa"')) == []
    # a noqa inside a string does not suppress
    text = base.format("; s = '# noqa'")
    assert codes(text) == [(9, "MPL105")]


def test_noqa_is_left_to_the_caller_on_request() -> None:
    text = BUGGY.replace("p.daemon = True", "p.daemon = True  # noqa: MPL105")
    assert [d.code for d in lint_source("x.py", text, Config(), apply_noqa=False)] == ["MPL105"]


def test_add_noqa_codes_merges() -> None:
    assert add_noqa_codes("x = 1", ["MPL105"]) == "x = 1  # noqa: MPL105"
    assert add_noqa_codes("x = 1  # noqa: E501", ["MPL105"]) == "x = 1  # noqa: E501, MPL105"
    assert add_noqa_codes("x = 1  # noqa", ["MPL105"]) == "x = 1  # noqa"
    assert add_noqa_codes("x = 1  # noqa: MPL105", ["MPL105"]) == "x = 1  # noqa: MPL105"
    suppressions = parse_suppressions("x = 1  # noqa: E501, MPL105\n")
    assert suppressions.lines[1] == frozenset({"E501", "MPL105"})


def test_selection() -> None:
    all_codes = {r.CODE for r in enabled_rules(["MPL"])}
    assert "MPL105" in all_codes
    assert {r.CODE for r in enabled_rules(["MPL1"], ignore=["MPL105"])} == {
        c for c in all_codes if c.startswith("MPL1") and c != "MPL105"
    }
    assert [r.CODE for r in enabled_rules(["daemon-set-after-start"])] == ["MPL105"]
    # the more specific selector wins
    assert [r.CODE for r in enabled_rules(["MPL105"], ignore=["MPL1"])] == ["MPL105"]
    assert rule_by_code("mpl105") is rule_by_code("daemon-set-after-start")
    assert unknown_selectors(["MPL105", "MPL9", "bogus", "ALL"]) == ["MPL9", "bogus"]


def test_per_file_ignores(tmp_path: object) -> None:
    config = Config(per_file_ignores=(("tests/*", ("MPL105",)),), root="/project")
    assert codes(BUGGY, config, path="/project/tests/test_x.py") == []
    assert codes(BUGGY, config, path="/project/src/x.py") == [(9, "MPL105")]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"selec": ["MPL"]}, "unknown key 'tool.mplint.selec' (did you mean 'select'?)"),
        ({"select": "MPL"}, "'tool.mplint.select' must be a list of strings"),
        ({"preview": "yes"}, "'tool.mplint.preview' must be true or false"),
        ({"start-method": "fast"}, "'tool.mplint.start-method' must be one of"),
        ({"ignore": ["MPL9999"]}, "unknown rule code(s): MPL9999"),
        ({"per-file-ignores": {"a/*": ["NOPE1"]}}, "unknown rule code(s): NOPE1"),
    ],
)
def test_config_errors_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        apply_settings(Config(), table, "pyproject.toml", "tool.mplint.")
    assert message in str(error.value)


def test_start_method_setting_changes_results() -> None:
    text = "import multiprocessing as mp\ndef f(): pass\nmp.Process(target=f).start()\n"
    assert codes(text) == [(3, "MPL201")]
    assert codes(text, Config(start_method="fork")) == []


def test_deep_but_valid_code_is_still_checked() -> None:
    # CPython accepts it; libcst's visitors need more than the default recursion limit.
    text = (
        "import multiprocessing as mp\n"
        "x = " + " + ".join(["1"] * 600) + "\n"
        "def f(): pass\n"
        "def g():\n"
        "    p = mp.Process(target=f)\n"
        "    p.start()\n"
        "    p.daemon = True\n"
    )
    assert codes(text) == [(7, "MPL105")]


def test_line_numbers_ignore_form_feeds_and_unicode_separators() -> None:
    text = BUGGY.replace("def work():", "\f\ndef work():  # \u2028 and \x0c in a comment")
    assert codes(text) == [(10, "MPL105")]


def test_noqa_after_a_multiline_string_on_the_reported_line() -> None:
    from mplint.suppression import noqa_line_map

    text = 's = """a\nb""" + f(1)\ny = a + \\\n    b\n'
    assert noqa_line_map(text) == {1: 2, 3: 4}


# --- positions -------------------------------------------------------------------------------------------
POSITION_SOURCES = [
    *sorted((Path(__file__).parent / "fixtures").rglob("*.py")),
    *sorted((Path(sysconfig.get_paths()["stdlib"]) / "concurrent" / "futures").glob("*.py")),
]
POSITION_SNIPPETS = [
    "import multiprocessing as mp\np = mp.Process()",  # no final newline: the last statement differs
    "# header\n\n@dec\n# between\n@dec2(\n  1)\ndef f(): pass\n\n# trailing\n",
    "a = 1; b = 2\nif a:\n    pass\nelse:\n    b = 3\n\n\n  # odd comment\nx = [\n 1,\n]\r\n",
    "class A:\n    def f(self):\n        return 1\n    # end of class\n# module footer\n",
]


def _statement_positions(source: Path | str) -> tuple[str, cst.Module, Model, Positions]:
    """The text, its tree and model, and positions computed statement by statement."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    module = cst.parse_module(text)
    model = build_model(module, "mod.py")
    return text, module, model, Positions(module, text, ast.parse(text), model.tree.parents)


@pytest.mark.parametrize(
    "source",
    [*POSITION_SOURCES, *POSITION_SNIPPETS],
    ids=lambda s: s.name if isinstance(s, Path) else repr(s[:20]),
)
def test_statement_positions_match_whole_module_positions(source: Path | str) -> None:
    """Positions computed one top-level statement at a time equal those of generating the whole module."""
    text, module, model, lazy = _statement_positions(source)
    whole = Positions(module, text)
    inside = [node for node in model.tree.order if lazy._top_statement(node) is not None]
    for node in inside:
        assert lazy.range(node) == whole.range(node), (node, module.code_for_node(node))
    if text.endswith("\n"):
        assert not lazy._whole  # the module was never generated whole
    for node in model.tree.order:  # nodes outside every statement: the fallback
        if not isinstance(node, cst.Module):
            assert lazy.range(node) == whole.range(node), (node, module.code_for_node(node))


NOQA_SNIPPETS = [
    "x = '''a\nb'''  # there\ny = 1\n",
    "def f():\n    s = f'''{1}\n    ''' ; t = 2\n    return s\nz = 1 + \\\n    2\n",
    "import os\nif os:\n    a = ('x'\n         'y')\n    b = \\\n        '''q\n'''\n",
]


@pytest.mark.parametrize(
    "source",
    [*POSITION_SOURCES, *NOQA_SNIPPETS],
    ids=lambda s: s.name if isinstance(s, Path) else repr(s[:20]),
)
def test_statement_noqa_lines_match_whole_file(source: Path | str) -> None:
    """The noqa line found by tokenizing one top-level statement is the whole file's answer."""
    text, _, model, lazy = _statement_positions(source)
    whole = noqa_line_map(text)
    for node in model.tree.order:
        if lazy._top_statement(node) is None:
            continue
        line = lazy.range(node).start.line
        assert lazy.noqa_line(node, line) == whole.get(line, line), (line, node)
    assert lazy._module_noqa is None  # answered from the statements alone
