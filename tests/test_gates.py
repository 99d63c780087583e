"""Rule-level gates (``mplint.gates``): the facts they read, how they combine, how the engine uses them,
and their exactness: on every corpus, a file a rule's gate turns away has no finding of that rule."""

from __future__ import annotations

import ast
import textwrap
import warnings
from collections.abc import Iterator

import pytest

from mplint.api_table import could_have_findings
from mplint.config import Config
from mplint.engine import gated, lint_source
from mplint.gates import (
    DEFAULT,
    FUTURES,
    MODELLED,
    PROCESSES,
    THREADS,
    FileFacts,
    Gate,
    file_facts,
    imported_modules,
    needs,
)
from mplint.registry import all_rules
from mplint.rule import LintRule

from .conftest import ROOT


def _facts(source: str) -> FileFacts:
    text = textwrap.dedent(source)
    return file_facts(text, ast.parse(text))


def test_imported_modules_are_found_in_every_block() -> None:
    text = textwrap.dedent(
        """
        import os, multiprocessing.pool as mpp
        from . import threading
        from .concurrent import futures
        x = 1; import billiard
        def f():
            class C:
                try:
                    import torch.multiprocessing
                except ImportError:
                    from queue import Queue
                finally:
                    import json
            while True:
                with open(x):
                    match x:
                        case 1:
                            from concurrent.futures import wait
        """
    )
    assert imported_modules(ast.parse(text)) == {
        "os",
        "multiprocessing",
        "billiard",
        "torch",
        "queue",
        "json",
        "concurrent",
    }


def test_words_are_whole_words_found_anywhere() -> None:
    facts = _facts(
        """
        import threading
        threading.Thread(target=work)  # a comment naming JoinableQueue
        name = "qsize"
        ThreadPoolExecutor
        """
    )
    assert facts.modules == {"threading"}
    assert facts.mentions("Thread")
    assert facts.mentions("target")
    assert facts.mentions(
        "JoinableQueue"
    )  # comments and strings count: a superset only lets more through
    assert facts.mentions("qsize")
    assert not facts.mentions("Pool")  # only inside ThreadPoolExecutor
    assert not facts.mentions("thread")
    assert not facts.mentions("start")


def test_needs_and_gates_combine() -> None:
    facts = _facts("import threading\nthreading.Thread(target=f).start()\n")
    assert not needs(PROCESSES).met_by(facts)
    assert needs(THREADS).met_by(facts)
    assert needs(THREADS, "Thread", "start").met_by(facts)
    assert not needs(THREADS, "Thread", "join").met_by(facts)
    assert needs(THREADS, "join|start").met_by(facts)
    assert not needs(THREADS, "join|close").met_by(facts)
    assert not Gate.of(needs(PROCESSES | FUTURES)).passes(facts)
    assert Gate.of(needs(PROCESSES), needs(THREADS, "Thread")).passes(facts)
    assert DEFAULT.passes(facts)
    assert not DEFAULT.passes(_facts("import os\n"))


def test_objects_imported_from_the_project_count_as_imports_and_mentions() -> None:
    """``FileFacts.including``: what objects of another module of the project bring (their
    libraries and names) is added to the file's own facts, which stay as they were."""
    facts = _facts("from .workers import Crawler\nCrawler(q).start()\n")
    assert not needs(PROCESSES, "start").met_by(facts)
    more = facts.including({"multiprocessing", "threading"}, {"Thread"})
    assert needs(PROCESSES, "start").met_by(more)
    assert needs(THREADS, "Thread", "start").met_by(more)
    assert not needs(THREADS, "Thread", "join").met_by(more)
    assert not needs(THREADS, "Thread").met_by(facts)


def _rule(code: str) -> type[LintRule]:
    return next(r for r in all_rules() if code == r.CODE)


def test_engine_runs_only_the_rules_a_file_lets_through() -> None:
    rules = list(all_rules())
    thread_only = "import threading\nlock = threading.Lock()\nwith lock:\n    pass\n"
    assert gated(rules, thread_only, ast.parse(thread_only)) == []
    assert lint_source("t.py", thread_only, Config(preview=True)) == []
    not_modelled = "import os\nThread = os\n"
    assert gated(rules, not_modelled, ast.parse(not_modelled)) == []
    threads = "import threading\nt = threading.Thread(target=f)\nt.start()\nt.start()\n"
    # only the rule whose shape is there: a thread started twice (not a called target, odd
    # arguments, a subclass, a join before start, a daemon flag after it)
    assert [r.CODE for r in gated(rules, threads, ast.parse(threads))] == ["MPL103"]
    fine = "import threading\nt = threading.Thread(target=f)\nt.start()\nt.join()\n"
    assert gated(rules, fine, ast.parse(fine)) == []
    processes = "import multiprocessing as mp\np = mp.Process(target=f)\np.start()\np.join()\n"
    chosen = {r.CODE for r in gated(rules, processes, ast.parse(processes))}
    assert _rule("MPL107").GATE.passes(_facts(processes))
    assert "MPL107" in chosen and "MPL406" not in chosen and "MPL506" not in chosen
    assert {r.CODE for r in rules} - chosen == {
        "MPL105",  # no daemon
        "MPL108",  # no terminate/kill
        "MPL204",  # no __main__
        "MPL401",  # no acquire
        "MPL403",  # no Manager
        "MPL406",  # no Manager
        "MPL502",  # no Empty/Full
        "MPL503",  # no qsize/empty/full
        "MPL506",  # no Pipe
    }


def test_a_gated_out_rule_is_not_run_but_prefilter_false_runs_it() -> None:
    # MPL105 reports a thread's daemon flag set after start(); its gate asks for both words.
    text = "import threading\nt = threading.Thread(target=f)\nt.start()\nt.daemon = True\n"
    assert [d.code for d in lint_source("t.py", text)] == ["MPL105"]
    assert _rule("MPL105").GATE.passes(_facts(text))
    silent = text.replace("t.start()", "print(t)")
    assert not _rule("MPL105").GATE.passes(_facts(silent))
    assert lint_source("t.py", silent) == lint_source("t.py", silent, prefilter=False) == []


def test_every_gate_is_narrower_than_the_import_gate() -> None:
    for rule in all_rules():
        for way in rule.GATE.ways:
            assert way.modules <= MODELLED, rule.CODE


# --- exactness on the corpora --------------------------------------------------------------------------

CORPORA = (
    "tests/fixtures",
    "tests/golden",
    "tests/witnesses",
    "tests/docs_examples",
    "examples",
)


def _corpus_texts() -> Iterator[tuple[str, str]]:
    from .test_corpus import CORPUS

    for relative in CORPORA:
        for path in sorted((ROOT / relative).rglob("*.py")):
            yield str(path), path.read_text(encoding="utf-8")
    for rule in all_rules():
        for index, case in enumerate([*rule.VALID, *rule.INVALID]):
            yield f"{rule.CODE}-case-{index}.py", case.code
    for root in CORPUS:
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if could_have_findings(text):
                yield str(path), text


def _rejected(text: str, rules: list[type[LintRule]]) -> list[type[LintRule]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in old test files
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []  # not gated: the engine reports the syntax error
    passing = set(gated(rules, text, tree))
    return [rule for rule in rules if rule not in passing]


#: The corpora are checked in shards, so that xdist spreads them over the cores.
SHARDS = 8


@pytest.mark.timeout(
    1800
)  # a shard lints its part of the standard library's candidates on one core
@pytest.mark.parametrize("shard", range(SHARDS))
def test_gates_turn_away_only_files_without_findings_of_the_rule(shard: int) -> None:
    """Every rule a gate turns away from a file reports nothing there when run without the gates
    (fixtures, golden inputs, witnesses, the documentation's examples, examples, the rules' own cases,
    the standard library and the multiprocessing-heavy packages); one shard of the files in eight."""
    config = Config(preview=True)
    rules = list(all_rules())
    for number, (name, text) in enumerate(_corpus_texts()):
        if number % SHARDS != shard:
            continue
        rejected = _rejected(text, rules)
        if not rejected:
            continue
        codes = {rule.CODE for rule in rejected}
        findings = lint_source(name, text, config, rules=rejected, prefilter=False)
        wrong = [d for d in findings if d.code in codes]
        assert not wrong, (name, [(d.code, d.line, d.message) for d in wrong])


def test_the_gates_turn_much_away_in_the_corpora() -> None:
    """The exactness test above has something to check: the gates do turn rules away."""
    rules = list(all_rules())
    files = turned_away = 0
    for _, text in _corpus_texts():
        rejected = _rejected(text, rules)
        files += bool(rejected)
        turned_away += len(rejected)
    assert files > 500 and turned_away > 10_000, (files, turned_away)
