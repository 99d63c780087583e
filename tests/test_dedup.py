"""One cause, one diagnostic: rules that supersede others on the same node (``mplint.dedup``), through the
engine, and the relation the rules declare."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Optional

import pytest

from mplint.cache import Cache
from mplint.dedup import merge_superseded, superseded_note
from mplint.diagnostics import Diagnostic, Related, Severity
from mplint.engine import lint_source
from mplint.registry import all_rules
from mplint.settings import Config

RULES = {rule.CODE: rule for rule in all_rules()}


def _d(
    code: str, line: int = 3, column: int = 5, end_column: int = 10, **extra: object
) -> Diagnostic:
    return Diagnostic(
        path="app.py",
        code=code,
        name=f"name-of-{code.lower()}",
        message=f"message of {code}",
        severity=Severity.ERROR,
        line=line,
        column=column,
        end_line=line,
        end_column=end_column,
        **extra,  # type: ignore[arg-type]
    )


SUPERSEDES = {
    "MPL504": frozenset({"MPL205", "MPL405"}),
    "MPL405": frozenset({"MPL205"}),
}


# --- the merge ------------------------------------------------------------------------------------


def test_the_superseded_diagnostic_becomes_a_note_of_the_superseding_one() -> None:
    weak, strong = _d("MPL205"), _d("MPL504")
    (merged,) = merge_superseded([weak, strong], SUPERSEDES)
    assert merged == _d(
        "MPL504",
        related=(
            Related(
                "app.py", 3, 5, 3, 10, "also MPL205 (name-of-mpl205): message of MPL205", "MPL205"
            ),
        ),
    )
    assert superseded_note(weak) == merged.related[0]


def test_a_chain_keeps_only_the_most_specific_and_notes_both_others() -> None:
    merged = merge_superseded([_d("MPL205"), _d("MPL405"), _d("MPL504")], SUPERSEDES)
    assert [d.code for d in merged] == ["MPL504"]
    assert [r.message.split(" ")[1] for r in merged[0].related] == ["MPL205", "MPL405"]


def test_another_range_or_an_unrelated_code_is_kept() -> None:
    elsewhere = [_d("MPL205", column=6), _d("MPL504"), _d("MPL101")]
    assert merge_superseded(elsewhere, SUPERSEDES) == elsewhere
    assert merge_superseded(elsewhere, {}) == elsewhere


def test_a_diagnostic_that_is_not_shown_supersedes_nothing() -> None:
    diagnostics = [_d("MPL205"), _d("MPL405"), _d("MPL504")]

    def shown(d: Diagnostic) -> bool:
        return d.code != "MPL504"

    merged = merge_superseded(diagnostics, SUPERSEDES, shown)
    # MPL405 now wins over MPL205; MPL504 itself is left for the caller to hide
    assert [d.code for d in merged] == ["MPL405", "MPL504"]
    assert [r.message.split(" ")[1] for r in merged[0].related] == ["MPL205"]
    assert merged[1].related == ()


def test_the_related_locations_of_a_superseded_diagnostic_move_along() -> None:
    own = Related("app.py", 1, 1, 1, 4, "set here")
    (merged,) = merge_superseded([_d("MPL205", related=(own,)), _d("MPL504")], SUPERSEDES)
    assert merged.related[1:] == (own,)


# --- the declared relation -----------------------------------------------------------------------


def test_supersedes_names_other_rules_and_is_transitive_and_acyclic() -> None:
    for code, rule in RULES.items():
        assert code not in rule.SUPERSEDES
        for weaker in rule.SUPERSEDES:
            assert weaker in RULES, f"{code} supersedes {weaker}, which is no rule"
            # transitive: what the weaker one supersedes, this one does too
            assert RULES[weaker].SUPERSEDES <= rule.SUPERSEDES, (code, weaker)
            # acyclic (with transitivity, no pair supersedes each other)
            assert code not in RULES[weaker].SUPERSEDES, (code, weaker)


def test_the_rule_pages_say_who_supersedes_whom() -> None:
    from mplint.docs import render_rule_page

    assert "**Supersedes:** [MPL205](MPL205.md), [MPL405](MPL405.md)" in render_rule_page(
        RULES["MPL504"]
    )
    assert "**Superseded by:** [MPL405](MPL405.md), [MPL504](MPL504.md)" in render_rule_page(
        RULES["MPL205"]
    )


# --- through the engine -------------------------------------------------------------------------

THREAD_LOCK = textwrap.dedent(
    """\
    import threading
    from multiprocessing import Process

    guard = threading.Lock()


    def count(path, lock):
        with lock:
            print(path)


    def main(path):
        child = Process(target=count, args=(path, guard)){noqa}
        child.start()
        child.join()
    """
)
LOCK_COLUMNS = (47, 52)


def _lint(
    text: str, config: Optional[Config] = None, path: str = "app.py", **options: bool
) -> list[Diagnostic]:
    return lint_source(path, text, config or Config(), **options)


def _at_the_lock(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if (d.line, d.column, d.end_column) == (13, *LOCK_COLUMNS)]


def test_a_thread_lock_sent_to_a_process_is_one_diagnostic() -> None:
    found = _at_the_lock(_lint(THREAD_LOCK.format(noqa="")))
    assert [d.code for d in found] == ["MPL504"]
    (lock,) = found
    assert lock.message == (
        "`guard` is a `threading.Lock`, which only works between threads: the child gets a private "
        "copy under fork, and cannot pickle it under spawn (`TypeError: cannot pickle "
        "'_thread.lock' object`)"
    )
    assert lock.related == (
        Related(
            "app.py",
            13,
            47,
            13,
            52,
            "also MPL205 (unpicklable-argument): `guard` is a threading.Lock, which cannot be "
            "pickled, but spawn pickles it for the child (TypeError)",
            "MPL205",
        ),
        Related(
            "app.py",
            13,
            47,
            13,
            52,
            "also MPL405 (lock-not-shared): `guard` belongs to `threading`; child processes "
            "cannot share it",
            "MPL405",
        ),
    )
    # without merging (a caller that merges itself) all three are there, without notes
    unmerged = _at_the_lock(_lint(THREAD_LOCK.format(noqa=""), supersede=False))
    assert [d.code for d in unmerged] == ["MPL205", "MPL405", "MPL504"]
    assert all(d.related == () for d in unmerged)


@pytest.mark.parametrize(
    ("config", "noqa", "expected"),
    [
        (Config(ignore=("MPL504",)), "", ["MPL405"]),
        (Config(ignore=("MPL5", "MPL4")), "", ["MPL205"]),
        (Config(select=("MPL205",)), "", ["MPL205"]),
        (Config(per_file_ignores=(("app.py", ("MPL504",)),)), "", ["MPL405"]),
        (Config(), "  # noqa: MPL504", ["MPL405"]),
        (Config(), "  # noqa: MPL504, MPL405", ["MPL205"]),
        (Config(), "  # noqa: MPL205", ["MPL504"]),
        (Config(), "  # noqa", []),
    ],
)
def test_the_superseded_rule_reports_when_the_superseding_one_does_not(
    config: Config, noqa: str, expected: list[str]
) -> None:
    found = _at_the_lock(_lint(THREAD_LOCK.format(noqa=noqa), config))
    assert [d.code for d in found] == expected
    if expected == ["MPL405"]:
        assert [r.message.split(" ")[1] for r in found[0].related] == ["MPL205"]


def test_noqa_left_to_the_caller_still_decides_what_supersedes() -> None:
    """``apply_noqa=False``: the suppressed MPL504 stays (the caller hides it) and supersedes
    nothing, so MPL405 is there for the caller to show."""
    found = _at_the_lock(_lint(THREAD_LOCK.format(noqa="  # noqa: MPL504"), apply_noqa=False))
    assert [d.code for d in found] == ["MPL405", "MPL504"]


PAIRS = [
    (
        "MPL104",
        "MPL108",
        """\
        from multiprocessing import Process

        def work():
            pass

        def main():
            p = Process(target=work)
            p.terminate()
        """,
        (8, 5, 18),
    ),
    (
        "MPL302",
        "MPL303",
        """\
        from multiprocessing import Pool

        def work(x):
            return x

        def main():
            pool = Pool(2)
            pool.close()
            pool.apply_async(work, (1,))
            pool.join()
        """,
        (9, 5, 33),
    ),
    (
        "MPL301",
        "MPL303",
        """\
        from multiprocessing import Pool

        def work(x):
            return x

        def main():
            with Pool(2) as pool:
                pool.apply_async(work, (1,))
        """,
        (8, 9, 37),
    ),
    (
        "MPL305",
        "MPL304",
        """\
        from multiprocessing.pool import ThreadPool

        def step(x):
            return x

        class Crawler:
            def __init__(self):
                self.pool = ThreadPool(8)
                self.pending = []

            def on_page(self, page):
                for link in page:
                    self.pending.append(self.pool.apply(step, (link,)))

            def crawl(self, urls):
                for url in urls:
                    self.pool.apply_async(step, (url,), callback=self.on_page)
        """,
        (13, 33, 63),
    ),
]


@pytest.mark.parametrize(("strong", "weak", "code", "where"), PAIRS, ids=[p[0] for p in PAIRS])
def test_each_declared_pair(strong: str, weak: str, code: str, where: tuple[int, int, int]) -> None:
    text = textwrap.dedent(code)
    line, column, end_column = where

    def here(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        return [d for d in diagnostics if (d.line, d.column, d.end_column) == where]

    unmerged = here(_lint(text, supersede=False))
    assert sorted(d.code for d in unmerged) == sorted([strong, weak])
    weak_one = next(d for d in unmerged if d.code == weak)
    (merged,) = here(_lint(text))
    assert merged.code == strong
    assert merged.related == (superseded_note(weak_one),)
    assert (merged.line, merged.column, merged.end_column) == (line, column, end_column)
    (alone,) = here(_lint(text, Config(ignore=(strong,))))
    assert alone == weak_one


def test_related_locations_survive_the_results_cache(tmp_path: Path) -> None:
    cache = Cache(str(tmp_path / "cache"))
    diagnostics = _lint(THREAD_LOCK.format(noqa=""))
    assert any(d.related for d in diagnostics)
    key = cache.key("app.py", THREAD_LOCK.encode(), Config())
    cache.put(key, diagnostics)
    assert cache.get(key) == diagnostics
