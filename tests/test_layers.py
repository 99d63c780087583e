"""mplint's modules import each other in one order: no import cycle, and no libcst where none is needed.

Every import of an mplint module counts, at the top of a module or inside a function (a lazy import is
still a dependency); imports under ``if TYPE_CHECKING:`` do not (they never run). ``from mplint import x``
is an import of the module ``mplint.x`` when there is one, else of the package ``mplint``. Importing
``mplint.x`` also runs the package's ``__init__``; that implicit edge is not counted (the package's
``__init__`` imports nothing at the top).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Optional

from .conftest import ROOT

PACKAGE = ROOT / "mplint"

#: Import edges (importer, imported) left out of the cycle check, each with the reason it cannot be
#: broken yet. Keep this empty: an entry is a debt, not a design.
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, modules: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                found |= _imports(child, modules)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in modules:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else node.module)
        found |= _imports(node, modules)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each mplint module -> the mplint modules it imports (see the module docstring)."""
    paths = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
    modules = set(paths)
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = {m for m in _imports(tree, modules) if m != name and (name, m) not in ALLOWED}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> Optional[list[str]]:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> Optional[list[str]]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_the_graph_sees_lazy_imports_and_skips_type_checking_ones() -> None:
    graph = import_graph()
    assert "mplint.engine" in graph["mplint"]  # inside the package's __getattr__
    assert "mplint.output.statistics" in graph["mplint.output"]  # inside a function
    assert "mplint.rule" not in graph["mplint.edits"]  # under TYPE_CHECKING only
    assert "mplint.api_table" in graph["mplint.model.inference"]  # `from mplint import api_table`


def test_find_cycle_reports_the_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle_between_mplint_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_settings_and_codes_import_nothing_heavy_from_mplint() -> None:
    graph = import_graph()
    assert graph["mplint.settings"] == set()
    assert graph["mplint.text"] == set()
    assert graph["mplint.codes"] <= {"mplint.diagnostics"}
    assert graph["mplint.config"] <= {"mplint.codes", "mplint.settings"}


def test_validating_selectors_imports_neither_the_rules_nor_libcst(tmp_path: Path) -> None:
    """A warm run validates the selection of ``[tool.mplint]`` and the command line against the code
    table, without importing the rule registry (and libcst with it)."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mplint]\nselect = ["MPL1", "bad-process-target"]\nignore = ["MPL101"]\n',
        encoding="utf-8",
    )
    script = textwrap.dedent(
        f"""
        import sys
        from mplint.cli import _settings, _build_parser
        from mplint.config import ConfigError, Overrides, Resolver
        from mplint.flake8_plugin import MplintChecker, resolver

        args = _build_parser().parse_args(["check", "--select", "MPL2,MPL101", "--ignore", "MPL3"])
        path = {str(tmp_path / "x.py")!r}
        config = Resolver(_settings(args)).config_for(path)
        assert config.select == ("MPL2", "MPL101"), config
        editor = Overrides.from_table({{"select": ["MPL101"], "ignore": ["MPL1"]}})
        assert Resolver(editor).config_for(path).ignore == ("MPL1",)
        assert resolver().config_for(path).select == ("MPL1", "bad-process-target")
        try:
            _settings(_build_parser().parse_args(["check", "--select", "MPL999"]))
        except ConfigError as error:
            assert "MPL999" in str(error)
        else:
            raise AssertionError("MPL999 accepted")
        heavy = sorted(m for m in sys.modules if m.startswith(("libcst", "mplint.registry")))
        assert not heavy, heavy
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"


#: The size a module or a class of mplint may reach (lines, docstrings and comments included): past it,
#: a part holds more than one concept and is split along its seams.
MAX_MODULE_LINES = 800
MAX_CLASS_LINES = 600


def oversized(path: Path) -> list[str]:
    """The module at ``path`` and each class in it (nested ones too) that is longer than allowed."""
    source = path.read_text(encoding="utf-8")
    found: list[str] = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{path.name}: {lines} lines")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
            length = node.end_lineno - node.lineno + 1
            if length > MAX_CLASS_LINES:
                found.append(f"{path.name}: class {node.name}, {length} lines")
    return found


def test_oversized_sees_a_long_module_and_a_long_nested_class(tmp_path: Path) -> None:
    body = "".join(f"        a{i} = {i}\n" for i in range(MAX_CLASS_LINES))
    source = tmp_path / "big.py"
    source.write_text("class Outer:\n    class Inner:\n" + body + "\n" * 200, encoding="utf-8")
    assert oversized(source) == [
        f"big.py: {MAX_CLASS_LINES + 202} lines",
        f"big.py: class Outer, {MAX_CLASS_LINES + 2} lines",
        f"big.py: class Inner, {MAX_CLASS_LINES + 1} lines",
    ]


def test_no_module_or_class_of_mplint_is_oversized() -> None:
    found = [entry for path in sorted(PACKAGE.rglob("*.py")) for entry in oversized(path)]
    assert not found, "\n".join(found)
