"""Property-based fuzzing: the engine never raises, and fixes stay sound, on generated and mutated code.

The CI profile is small and deterministic. A longer run:

    MPLINT_FUZZ_EXAMPLES=3000 pytest tests/test_fuzz.py -p no:randomly

Every crash found this way becomes a regression test (tests/test_regressions.py).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import libcst as cst
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mplint.config import Config  # noqa: E402
from mplint.engine import lint_source  # noqa: E402
from mplint.fixes import fix_source  # noqa: E402

from .conftest import FIXTURES  # noqa: E402

EXAMPLES = int(os.environ.get("MPLINT_FUZZ_EXAMPLES", "20"))
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,
    suppress_health_check=list(HealthCheck),
)
CONFIG = Config(preview=True)
HEADER = "import multiprocessing as mp\nfrom multiprocessing import Pool, Process, Queue, Lock\n"
FIXTURE_FILES = sorted(p for p in FIXTURES.glob("*.py") if not p.name.endswith(".fixed.py"))

# Multiprocessing statements spliced into other code, to reach the rules from odd places.
SNIPPETS = (
    "p = mp.Process(target=work, args=(1,))",
    "p.start()",
    "p.join()",
    "p.terminate()",
    "p.daemon = True",
    "pool = Pool(2)",
    "pool.join()",
    "pool.close()",
    "pool.apply_async(work(1))",
    "q = Queue()",
    "q.put(1)",
    "lock = Lock()",
    "lock.acquire()",
    "lock.release()",
    "main()",
    "with Pool() as pool: pool.map(work, [1])",
)


def _check(path: str, code: str) -> None:
    """The engine returns; where fixes apply they are verified (no error) and idempotent."""
    lint_source(path, code, CONFIG, raise_errors=True)
    result = fix_source(path, code, CONFIG, unsafe=True)
    assert result.error is None, result.error
    if result.changed:
        cst.parse_module(result.text)
        again = fix_source(path, result.text, CONFIG, unsafe=True)
        assert again.error is None, again.error
        assert again.text == result.text, "fixes are not a fixed point"


def _hypothesmith_programs() -> st.SearchStrategy[str]:
    hypothesmith = pytest.importorskip("hypothesmith")
    strategy: st.SearchStrategy[str] = hypothesmith.from_node()
    return strategy


@PROFILE
@given(st.data())
def test_generated_programs(data: st.DataObject) -> None:
    body = data.draw(_hypothesmith_programs(), label="program")
    code = HEADER + body
    try:
        compile(code, "<fuzz>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # generated code CPython rejects: the engine reports it, nothing to fix
    _check("fuzz.py", code)


def _mutate(text: str, rng: random.Random) -> str:
    module = cst.parse_module(text)
    body = list(module.body)
    choice = rng.randrange(4)
    if choice == 0 and len(body) > 2:  # shuffle top-level statements
        head, tail = body[:1], body[1:]
        rng.shuffle(tail)
        body = head + tail
    elif choice == 1:  # rename one name everywhere
        names = sorted({n.value for n in _names(module)})
        if names:
            old = rng.choice(names)
            new = rng.choice([*names, "renamed", "p", "pool", "q"])
            return module.visit(_Renamer(old, new)).code
    elif choice == 2:  # splice multiprocessing statements into function bodies
        return module.visit(_Splicer(rng)).code
    elif len(body) > 1:  # drop a statement
        body.pop(rng.randrange(len(body)))
    return module.with_changes(body=body).code


def _names(module: cst.Module) -> list[cst.Name]:
    found: list[cst.Name] = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    module.visit(Collect())
    return found


class _Renamer(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return (
            updated_node.with_changes(value=self.new)
            if updated_node.value == self.old
            else updated_node
        )


class _Splicer(cst.CSTTransformer):
    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if self.rng.random() > 0.5:
            return updated_node
        body = list(updated_node.body)
        snippet = cst.parse_statement(self.rng.choice(SNIPPETS))
        body.insert(self.rng.randrange(len(body) + 1), snippet)
        return updated_node.with_changes(body=body)


@PROFILE
@given(
    name=st.sampled_from([p.name for p in FIXTURE_FILES]),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    rounds=st.integers(min_value=1, max_value=3),
)
def test_mutated_fixtures(name: str, seed: int, rounds: int) -> None:
    rng = random.Random(seed)
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for _ in range(rounds):
        try:
            text = _mutate(text, rng)
        except cst.ParserSyntaxError:
            break
    try:
        compile(text, name, "exec")
    except SyntaxError:
        return
    _check(name, text)


def test_fixture_list_is_not_empty() -> None:
    assert FIXTURE_FILES, Path(FIXTURES)
