"""The model's parts form layers: a part imports only parts of lower layers, and never the facade.

The order is the one ``mplint/model/__init__.py`` documents. A new part must be added here, at the
layer of the highest part it needs plus one, so that a cycle can never creep in through a forward
reference.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parent.parent / "mplint" / "model"

LAYERS: dict[str, int] = {
    "syntax": 0,
    "tree": 1,
    "walk": 1,
    "names": 2,
    "build": 3,
    "flow": 3,
    "types": 3,
    "importer": 3,
    "imported": 3,
    "callgraph": 4,
    "valueflow": 5,
    "inference": 6,
    "slots": 6,
    "exceptions": 7,
    "workers": 7,
    "values": 7,
    "startmethod": 7,
    "pickling": 8,
    "handoff": 8,
    "state": 8,
}


def model_imports(path: Path) -> list[tuple[int, str]]:
    """(line, part) for every import of a model module in ``path``, wherever it stands (also inside
    functions and under ``TYPE_CHECKING``)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            if node.module == "mplint.model":
                names = ["__init__"] + [
                    f"{alias.name}" for alias in node.names if alias.name in LAYERS
                ]
            elif node.module.startswith("mplint.model."):
                names = [node.module.split(".")[2]]
            elif node.module == "mplint":
                names = ["__init__"] if any(a.name == "model" for a in node.names) else []
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names = [node.module.split(".")[0] if node.module else "__init__"]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "mplint.model":
                    names.append("__init__")
                elif alias.name.startswith("mplint.model."):
                    names.append(alias.name.split(".")[2])
        found.extend((node.lineno, name) for name in names)
    return found


def test_every_part_has_a_layer() -> None:
    parts = {p.stem for p in MODEL.glob("*.py")} - {"__init__"}
    assert parts == set(LAYERS)


@pytest.mark.parametrize("part", sorted(LAYERS))
def test_a_part_imports_only_lower_layers(part: str) -> None:
    wrong = [
        f"{part}.py:{line} imports {target}"
        for line, target in model_imports(MODEL / f"{part}.py")
        if target == "__init__" or LAYERS.get(target, 99) >= LAYERS[part]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    source = tmp_path / "tree.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from mplint.model.inference import Inference\n"
        "def f():\n"
        "    from mplint.model import Model\n",
        encoding="utf-8",
    )
    assert model_imports(source) == [(3, "inference"), (5, "__init__")]


def test_the_facade_builds_each_part_from_lower_parts_only() -> None:
    """Each ``cached_property`` of the facade passes the part only parts of lower layers."""
    tree = ast.parse((MODEL / "__init__.py").read_text(encoding="utf-8"))
    model = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Model")
    checked = 0
    for method in model.body:
        if not isinstance(method, ast.FunctionDef) or method.name not in LAYERS:
            continue
        call = method.body[-1]
        assert isinstance(call, ast.Return) and isinstance(call.value, ast.Call)
        for arg in call.value.args:
            assert isinstance(arg, ast.Attribute)
            assert LAYERS[arg.attr] < LAYERS[method.name], (method.name, arg.attr)
        checked += 1
    assert checked == len(LAYERS) - len({"syntax", "tree", "walk", "names", "build"})
