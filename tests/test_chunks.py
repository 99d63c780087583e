"""Parsing piece by piece (mplint/chunks.py) gives the tree of a whole-text parse, or declines."""

from __future__ import annotations

import ast
import random
import sysconfig
from pathlib import Path

import libcst as cst
import pytest

from benchmarks.lsp_latency import etl_document, middle_edits
from mplint import engine
from mplint.chunks import ChunkCache, statement_lines
from mplint.config import Config

STDLIB = Path(sysconfig.get_paths()["stdlib"])
SOURCES = [
    *sorted((Path(__file__).parent / "fixtures").glob("*.py")),
    *sorted((STDLIB / "multiprocessing").glob("*.py")),
    *(
        STDLIB / name
        for name in (
            "subprocess.py",
            "dataclasses.py",
            "test/test_patma.py",
            "test/test_fstring.py",
        )
        if (STDLIB / name).is_file()
    ),
]
SNIPPETS = [
    "# header\n\n# more\nimport os\n\n\n# before f\n@dec  # why\n# between\n@dec2(\n    1)\ndef f():\n"
    "    pass\n    # block footer\n# col 0\n\n  # odd\nx = 1; y = 2\nif x:\n    pass\nelse:\n    y = 3\n",
    "class A:\n    def f(self):\n        return 1\n\n    # end of class\n\n\n# module footer\nx = 1\n",
    "x = [1,\n     2]\n     # indented, at the end of a piece\n     # (libcst drops one alone)\n\ny = 2\n",
    "a = 1\nb = (\n    2,\n)\nc = '''\nx\n'''\n\x0c\nd = 4",  # form feed, no final newline
    "import sys\r\nif sys:\r\n    pass\r\n",
    "try:\n    pass\nexcept E:\n    pass\nfinally:\n    pass\nwhile 1:\n    break\n",
    "async def g():\n    await h()\nmatch x:\n    case 1:\n        pass\n",
]


def _both(text: str) -> tuple[cst.Module, cst.Module | None]:
    return cst.parse_module(text), ChunkCache().parse(text, ast.parse(text))


@pytest.mark.parametrize(
    "source",
    [*SOURCES, *SNIPPETS],
    ids=lambda s: s.name if isinstance(s, Path) else repr(s[:24]),
)
def test_pieces_join_into_the_whole_text_tree(source: Path | str) -> None:
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    cache = ChunkCache()
    tree = ast.parse(text)
    joined = cache.parse(text, tree)
    if joined is None:  # declined: one statement only
        assert len(statement_lines(tree)) < 2
        return
    assert joined.code == text
    assert joined.deep_equals(cst.parse_module(text))


@pytest.mark.parametrize(
    "text",
    [
        "if a:\n\tpass\nb = 1\n",  # a tab-indented block next to a piece without one
        "a = 1\r\nif a:\n    pass\n",  # mixed newlines
        "x = 1\n",  # a single statement: nothing to gain
    ],
)
def test_declines_what_it_cannot_reproduce(text: str) -> None:
    whole, joined = _both(text)
    assert joined is None or (joined.code == text and joined.deep_equals(whole))


def test_edits_reparse_only_the_changed_piece() -> None:
    cache = ChunkCache()
    text = "".join(f"def f{i}():\n    return {i}\n\n" for i in range(50))
    cache.parse(text, ast.parse(text))
    assert (cache.hits, cache.misses) == (0, 50)
    edited = text.replace("return 7\n", "return 7 + 1\n")
    joined = cache.parse(edited, ast.parse(edited))
    assert joined is not None and joined.deep_equals(cst.parse_module(edited))
    assert (cache.hits, cache.misses) == (49, 51)


def test_cache_is_bounded() -> None:
    cache = ChunkCache(max_pieces=10)
    text = "".join(f"x{i} = {i}\n" for i in range(40))
    cache.parse(text, ast.parse(text))
    assert len(cache._pieces) == 10


def test_engine_results_are_the_same_with_the_cache() -> None:
    config = Config(preview=True)
    paths = sorted((Path(__file__).parent / "fixtures").glob("MPL*.py"))
    plain = {
        p.name: engine.lint_source(str(p), p.read_text(encoding="utf-8"), config) for p in paths
    }
    engine.use_chunk_cache()
    try:
        for _ in range(2):  # cold, then every piece from the cache
            for path in paths:
                found = engine.lint_source(str(path), path.read_text(encoding="utf-8"), config)
                assert found == plain[path.name], path.name
    finally:
        engine.use_chunk_cache(False)


def test_a_text_twice_gives_distinct_nodes() -> None:
    """The model indexes nodes by identity: a piece whose text comes twice is not shared."""
    text = "import multiprocessing as mp\nx = []\nx = []\ndef work():\n    x.append(1)\nx = []\n"
    joined = ChunkCache().parse(text, ast.parse(text))
    assert joined is not None and joined.deep_equals(cst.parse_module(text))
    seen: set[int] = set()
    stack: list[cst.CSTNode] = [joined]
    while stack:
        node = stack.pop()
        assert id(node) not in seen, node
        seen.add(id(node))
        stack.extend(node.children)


def _random_edit(text: str, rng: random.Random) -> str:
    """One editor-like change: a line duplicated, deleted, moved, or a character typed or erased; a
    top-level statement duplicated. Some make the text invalid, as typing does."""
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines))
    kind = rng.randrange(6)
    if kind == 0:
        lines.insert(at, lines[at])
    elif kind == 1:
        del lines[at]
    elif kind == 2:
        lines.insert(rng.randrange(len(lines)), lines.pop(at))
    elif kind == 3:
        line = lines[at]
        column = rng.randrange(len(line))
        lines[at] = line[:column] + rng.choice("x_1 (.,:") + line[column:]
    elif kind == 4:
        line = lines[at]
        column = rng.randrange(len(line))
        lines[at] = line[:column] + line[column + 1 :]
    else:
        starts = statement_lines(ast.parse(text)) if _parses(text) else [1]
        first = rng.randrange(len(starts))
        end = starts[first + 1] - 1 if first + 1 < len(starts) else len(lines)
        lines[len(lines) : len(lines)] = lines[starts[first] - 1 : end]
    return "".join(lines)


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


EDITED = [
    ("etl", etl_document(700)),
    *(
        (name, (Path(__file__).parent / "fixtures" / name).read_text(encoding="utf-8"))
        for name in ("MPL404.py", "MPL405.py", "MPL309.py", "MPL205.py", "MPL101.py")
    ),
]


@pytest.mark.parametrize(("name", "text"), EDITED, ids=[name for name, _ in EDITED])
def test_random_edits_give_the_diagnostics_of_a_fresh_run(name: str, text: str) -> None:
    """The language server's workers lint edit after edit with the piece cache; every version must get
    exactly what a fresh process (no cache) gets."""
    rng = random.Random(f"edits of {name}")
    config = Config(preview=True)
    versions = [text]
    for _ in range(10):
        versions.append(_random_edit(versions[-1], rng))
    versions.extend(middle_edits(text, 3))
    fresh = [engine.lint_source(name, version, config) for version in versions]
    engine.use_chunk_cache()
    try:
        for version, expected in zip(versions, fresh):
            assert engine.lint_source(name, version, config) == expected
    finally:
        engine.use_chunk_cache(False)


def test_unchanged_statements_stay_the_same_objects() -> None:
    """Blank lines and comments between statements end up in the next statement's leading lines; an
    edit must still give the statements around it as the same objects (what is kept about a statement from
    one lint to the next, its generated code, is keyed by the node)."""
    cache = ChunkCache()
    text = "".join(f"\n\n# f{i}\ndef f{i}():\n    return {i}\n" for i in range(20))
    before = cache.parse(text, ast.parse(text))
    edited = text.replace("return 7\n", "return 7 + 1\n")
    after = cache.parse(edited, ast.parse(edited))
    assert before is not None and after is not None
    assert after.deep_equals(cst.parse_module(edited))
    # the edited statement, and the next one, whose leading lines come from the edited piece
    changed = [i for i, (a, b) in enumerate(zip(before.body, after.body)) if a is not b]
    assert changed == [7, 8]


def test_statement_code_is_generated_once_per_statement() -> None:
    text = etl_document(400)
    config = Config()
    engine.use_chunk_cache()
    try:
        engine.lint_source("etl.py", text, config)
        cache = engine._STATEMENT_CODE
        assert cache is not None
        generated = len(cache._code)
        assert generated > 5  # the statements that hold findings
        versions = middle_edits(text, 3)
        for version in versions:
            engine.lint_source("etl.py", version, config)
        assert len(cache._code) <= generated + len(versions)  # only the edited statement again
    finally:
        engine.use_chunk_cache(False)
