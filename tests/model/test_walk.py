"""The one traversal (:mod:`mplint.model.walk`): libcst's order, and skipping trivia."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest

from mplint.model import TRIVIA, walk

from ..conftest import FIXTURES


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[int, bool]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append((id(node), False))
        return not isinstance(node, cst.Lambda)  # a visitor may skip children

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append((id(original_node), True))


WALK_SOURCES = [
    *sorted(FIXTURES.rglob("*.py")),
    *sorted((Path(sysconfig.get_paths()["stdlib"]) / "multiprocessing").glob("*.py")),
    *(
        Path(sysconfig.get_paths()["stdlib"]) / "test" / name
        for name in (
            "test_patma.py",
            "test_fstring.py",
            "test_coroutines.py",
            "test_except_star.py",
        )
        if (Path(sysconfig.get_paths()["stdlib"]) / "test" / name).is_file()
    ),
]


@pytest.mark.parametrize("path", WALK_SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_walk_visits_like_libcst(path: Path) -> None:
    """The model's traversal reaches the same nodes, in the same order, as libcst's own ``visit``."""
    module = cst.parse_module(path.read_bytes())
    expected, actual = _Recorder(), _Recorder()
    module.visit(expected)
    walk(module, actual)
    assert actual.events == expected.events


@pytest.mark.parametrize("path", WALK_SOURCES[:12], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_walk_skipping_trivia_visits_the_rest_like_libcst(path: Path) -> None:
    module = cst.parse_module(path.read_bytes())
    expected, actual = _Recorder(), _Recorder()
    module.visit(expected)
    walk(module, actual, TRIVIA)
    kinds = {id(n): type(n) for n in _all_nodes(module)}
    assert actual.events == [e for e in expected.events if kinds[e[0]] not in TRIVIA]
    assert len(actual.events) < len(expected.events)


def _all_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    out = [node]
    for child in node.children:
        out.extend(_all_nodes(child))
    return out


def test_rules_cannot_visit_trivia() -> None:
    from mplint.rule import LintRule

    with pytest.raises(TypeError, match="whitespace, comments and punctuation"):

        class Bad(LintRule):
            def visit_Comment(self, node: cst.Comment) -> None:
                pass
