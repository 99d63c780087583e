"""Leaving unrelated top-level definitions out of the model (mplint/incremental.py) changes no diagnostic.

The language server's workers lint with the piece cache on (``engine.use_chunk_cache``), which also
turns the reduction on; every result here is compared with a fresh run that has neither.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

from benchmarks.lsp_latency import etl_document, middle_edits, typical_document
from mplint import engine
from mplint.config import Config
from mplint.diagnostics import INTERNAL_ERROR, Applicability, Diagnostic, Edit, Fix, Severity
from mplint.incremental import Reduction, Relevance, statement_facts, unrelated
from mplint.model import build_model
from tests.test_chunks import _random_edit

TESTS = Path(__file__).parent
ROOT = TESTS.parent
MODULES = sorted(
    [
        *(TESTS / "fixtures").glob("*.py"),
        *(TESTS / "golden" / "input").rglob("*.py"),
        *(TESTS / "witnesses").glob("*.py"),
        *(TESTS / "docs_examples").rglob("*.py"),
        *(ROOT / "examples").rglob("*.py"),
    ]
)
CONFIG = Config(preview=True)

#: Top-level definitions that share no name with the code of any module they are appended to, though
#: their parameters and local variables are named like those of the modules (``p``, ``pool``, ``self``)
#: and like what rules pick for the names their fixes add (``started``, ``launched``, ``started_2``,
#: ``_task``); and two that always count: one named like a builtin, one importing something.
UNRELATED = '''


class ZzLedger:
    """Bookkeeping that has nothing to do with processes (and spells no name the modules spell)."""

    def __init__(zz_self, zz_entries):
        zz_self.zz_entries = zz_entries
        zz_self.started = 0

    def zz_total(zz_self):
        launched = 0
        for zz_entry in zz_self.zz_entries:
            launched += zz_entry
        return launched


def zz_decorate(zz_function):
    return zz_function


@zz_decorate
def zz_report(zz_ledger, started_2=None):
    _task = zz_ledger.zz_total()
    return f"{_task}: {started_2}"


def zz_lonely():
    started_processes = [1, 2]
    return started_processes


def zz_collisions(p, pool, queue, lock, work, target, executor, self=None):
    results = [p, pool, queue, lock, work, target, executor, self]
    for process in results:
        started = process
    return started, results


class ZzPlain:
    def zz_method(self, q=None):
        self.zz_value = q
        return self


def sorted(zz_values):
    return zz_values


def zz_local_import():
    import zz_nowhere

    return zz_nowhere
'''


def _lint_fresh(path: str, text: str) -> list[Diagnostic]:
    engine.use_chunk_cache(False)
    return engine.lint_source(path, text, CONFIG)


def _lint_reduced(path: str, text: str) -> list[Diagnostic]:
    engine.use_chunk_cache()
    try:
        return engine.lint_source(path, text, CONFIG)
    finally:
        engine.use_chunk_cache(False)


@pytest.fixture(autouse=True)
def _no_cache_after() -> Iterator[None]:
    yield
    engine.use_chunk_cache(False)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_with_unrelated_definitions_gives_the_fresh_diagnostics(path: Path) -> None:
    """Each fixture, golden input, witness, documentation example and example, with and without
    unrelated definitions appended: the same diagnostics as a fresh run."""
    text = path.read_text(encoding="utf-8")
    for version in (text, text.rstrip("\n") + "\n" + UNRELATED):
        assert _lint_reduced(str(path), version) == _lint_fresh(str(path), version)


def test_the_appended_definitions_are_left_out() -> None:
    """What the test above relies on: most of the appended definitions are left out of the model."""
    text = (TESTS / "fixtures" / "MPL101.py").read_text(encoding="utf-8") + UNRELATED
    module = cst.parse_module(text)
    left_out = {
        statement.name.value
        for statement in Relevance().reduce(module).opaque
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef))
    }
    assert left_out == {
        "ZzLedger",
        "zz_decorate",
        "zz_report",
        "zz_lonely",
        "zz_collisions",
        "ZzPlain",
    }


MIXED = typical_document(400) + UNRELATED + etl_document(300).split("\n\n\n", 1)[1]


@pytest.mark.parametrize(
    ("name", "text"),
    [("typical", typical_document(600)), ("mixed", MIXED)],
)
def test_random_edits_give_the_diagnostics_of_a_fresh_run(name: str, text: str) -> None:
    """Edit after edit, as the server's workers lint them (definitions left out, then linked again by an
    edit, and the other way round): every version gets what a fresh run gets."""
    rng = random.Random(f"incremental edits of {name}")
    versions = [text]
    for _ in range(12):
        versions.append(_random_edit(versions[-1], rng))
    versions.extend(middle_edits(text, 3))
    fresh = [_lint_fresh(name, version) for version in versions]
    engine.use_chunk_cache()
    for version, expected in zip(versions, fresh):
        assert engine.lint_source(name, version, CONFIG) == expected


def _facts(source: str) -> list[tuple[frozenset[str], bool]]:
    module = cst.parse_module(source)
    return [(f.names, f.always) for f in map(statement_facts, module.body)]


def test_every_name_spelled_is_kept_for_the_check_of_fixes() -> None:
    module = cst.parse_module("def f(a):\n    b = a.attr\n    return b\n")
    assert statement_facts(module.body[0]).spelled == {"f", "a", "b", "attr"}


def test_statement_facts() -> None:
    source = (
        "x = helper(1)\n"
        "def f(a, *, key=None):\n    return a.attr + key\n"
        "def g():\n    from os import path\n    return path\n"
        "class list:\n    pass\n"
    )
    assert _facts(source) == [
        (frozenset({"x", "helper"}), True),  # module-level code always counts
        (frozenset({"f", "attr"}), False),  # not its parameters, nor ``None``
        (frozenset({"g", "os", "path"}), True),  # it imports
        (frozenset({"list"}), True),  # a builtin's name
    ]


def _left_out(source: str) -> set[str]:
    module = cst.parse_module(source)
    reduction = unrelated(module.body, [statement_facts(s) for s in module.body])
    return {
        s.name.value for s in reduction.opaque if isinstance(s, (cst.FunctionDef, cst.ClassDef))
    }


def test_definitions_linked_through_a_chain_of_names_count() -> None:
    source = (
        "import multiprocessing as mp\n"
        "def run():\n    mp.Process(target=first).start()\n"
        "def first():\n    return second()\n"
        "def second():\n    return Holder().value\n"
        "class Holder:\n    value = 1\n"
        "class Apart:\n    def own(self):\n        return self.other\n"
        "def also_apart(mp, other=None):\n    return mp, other\n"
        "def uses_the_import():\n    return mp\n"
        "def declares_it_global():\n    global mp\n    mp = None\n"
        "def in_a_class_body():\n    class Inner:\n        mp = 1\n    return Inner\n"
        "def in_a_default(value=mp):\n    return value\n"
    )
    # a parameter named ``mp`` is the function's own; the import's name used, declared global, bound
    # in a class body or evaluated as a default is the module's
    assert _left_out(source) == {"Apart", "also_apart"}


def test_a_module_without_definitions_leaves_nothing_out() -> None:
    assert _left_out("import os\nx = 1\n") == set()


def _diagnostic(code: str, content: str = "") -> Diagnostic:
    fix = Fix(Applicability.SAFE, "fix", (Edit(1, 1, 1, 1, content),)) if content else None
    return Diagnostic("m.py", code, "name", "message", Severity.ERROR, 1, 1, 1, 2, fix=fix)


def test_a_result_that_may_depend_on_what_was_left_out_is_refused() -> None:
    reduction = Reduction(frozenset(), frozenset({"started", "ZzLedger"}))
    assert reduction.agrees([_diagnostic("MPL107", "launched = []\n")])
    assert not reduction.agrees([_diagnostic("MPL107", "started = []\n")])
    assert not reduction.agrees([_diagnostic(INTERNAL_ERROR)])


def test_a_fresh_name_a_left_out_definition_spells_is_not_offered() -> None:
    """MPL107's fix collects the processes in a fresh list (``started`` first): a left-out definition
    spelling ``started`` makes the fix use another name in a fresh run; the run without it is refused
    (its fix would say ``started``) and the module linted again whole."""
    source = (
        "from multiprocessing import Process\n\n\n"
        "def work(c):\n    pass\n\n\n"
        "def go(chunks):\n"
        "    for c in chunks:\n"
        "        p = Process(target=work, args=(c,))\n"
        "        p.start()\n"
        "        p.join()\n\n\n"
        "def apart():\n    started = 1\n    return started\n"
    )
    assert _left_out(source) == {"apart"}
    fresh = _lint_fresh("m.py", source)
    (fixed,) = [d.fix for d in fresh if d.code == "MPL107" and d.fix is not None]
    assert any("started_processes = []" in edit.content for edit in fixed.edits)
    assert _lint_reduced("m.py", source) == fresh


def test_the_model_records_a_left_out_statement_without_entering_it() -> None:
    module = cst.parse_module("def f(a):\n    return a\nx = f(1)\n")
    left_out, kept = module.body
    model = build_model(module, opaque=frozenset({left_out}))
    assert model.parent(left_out) is module
    assert model.tree.order[left_out] + 1 == model.tree.end[left_out]
    assert model.precedes(left_out, kept)
    assert all(node is not left_out for node, _ in model.tree.events)
    assert model.names.module_scope.bindings.keys() == {"x"}
