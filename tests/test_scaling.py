"""The cost of a lint grows with the file and no faster: the model's and the rules' queries are answered
from indexes built once, not by scanning the module per call. Counted, not timed: the number of calls
of the model's basic queries on a generated module, and on one twice as long."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from benchmarks.synthetic import module_of
from mplint.engine import lint_source
from mplint.model.inference import Inference
from mplint.model.names import Names
from mplint.model.tree import Tree
from mplint.settings import Config

QUERIES: list[tuple[type, str]] = [
    (Names, "binding_key"),
    (Names, "resolve_function"),
    (Names, "lookup"),
    (Names, "variable_use"),
    (Tree, "enclosing_function_node"),
    (Tree, "ancestors"),
    (Inference, "kind_of"),
]


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    counter: Counter[str] = Counter()
    for owner, name in QUERIES:
        original: Callable[..., Any] = getattr(owner, name)

        def counted(*args: Any, _original: Callable[..., Any] = original, _name: str = name) -> Any:
            counter[_name] += 1
            return _original(*args)

        monkeypatch.setattr(owner, name, functools.wraps(original)(counted))
    yield counter


def test_generated_modules_grow_as_asked() -> None:
    for lines in (1000, 3000):
        text = module_of(lines)
        assert lines - 40 <= text.count("\n") <= lines + 40
        compile(text, "etl.py", "exec")
    assert module_of(1000) == module_of(1000)


def test_queries_grow_linearly_with_the_module(counts: Counter[str]) -> None:
    config = Config(preview=True)
    per_size: dict[int, Counter[str]] = {}
    for lines in (1500, 3000):
        counts.clear()
        lint_source("etl.py", module_of(lines), config)
        per_size[lines] = Counter(counts)
    for _, name in QUERIES:
        small, large = per_size[1500][name], per_size[3000][name]
        assert small > 0, name
        assert large / small <= 2.2, f"{name}: {small} calls, then {large} for twice the lines"
