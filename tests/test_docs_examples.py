"""The Python documentation's correct example programs for ``multiprocessing`` and ``concurrent.futures``
(tests/docs_examples/, see its README) draw no finding from any rule, preview rules included."""

from __future__ import annotations

from pathlib import Path

import pytest

from mplint.config import Config
from mplint.engine import lint_source

EXAMPLES = Path(__file__).parent / "docs_examples"
FILES = sorted(EXAMPLES.glob("*.py"))


def test_the_examples_are_there() -> None:
    names = {path.stem for path in FILES}
    assert len(names) >= 25
    # the guidelines' examples and the pages' long examples are among them
    assert {
        "mp_guideline_join_after_get",
        "mp_guideline_safe_main",
        "mp_pool",
        "mp_workers",
        "cf_thread_pool_example",
        "cf_process_pool_example",
    } <= names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_documented_example_is_silent(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "multiprocessing" in text or "concurrent.futures" in text
    diagnostics = lint_source(str(path), text, Config(preview=True), raise_errors=True)
    assert not diagnostics, "\n".join(
        f"{path.name}:{d.line}:{d.column} {d.code} {d.message}" for d in diagnostics
    )


def test_a_planted_bug_is_found() -> None:
    """The examples are linted for real: the same code with the guidelines' deadlock draws MPL501."""
    path = EXAMPLES / "mp_guideline_join_after_get.py"
    text = path.read_text(encoding="utf-8")
    broken = text.replace(
        "    obj = queue.get()\n    p.join()\n", "    p.join()\n    obj = queue.get()\n"
    )
    assert broken != text
    diagnostics = lint_source(str(path), broken, Config(preview=True), raise_errors=True)
    assert "MPL501" in {d.code for d in diagnostics}
