"""Multi-module projects: findings whose cause lies in another module of the tree.

Each directory of ``tests/fixtures/projects/`` is a project (its own ``pyproject.toml``). Every Python
file in it is linted with the project of its root, from the root (paths as the command line shows
them); the lines marked ``# error: CODE`` must be exactly those reported, and
``tests/snapshots/projects/<name>.txt`` pins every diagnostic in full, its related locations in the
other modules included (``pytest --update-fixtures`` rewrites it). The command line must give the
same findings for the whole tree, for each file alone, and with worker processes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from mplint import runner
from mplint.cache import Cache
from mplint.config import Config
from mplint.diagnostics import Diagnostic
from mplint.engine import lint_source
from mplint.files import Candidate
from mplint.project import KindFacts, ModuleSummary, Project, project_for
from mplint.project.store import SummaryStore
from mplint.runner import Options, check_files
from mplint.source import split_lines_keepends

from .cli_support import mplint
from .conftest import FIXTURES, SNAPSHOTS, expected_errors
from .test_rules import _quote as quote
from .test_rules import check_snapshot

PROJECTS = FIXTURES / "projects"
NAMES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir())
CONFIG = Config(preview=True)


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


def _lint_tree(root: Path, project: Project) -> dict[str, list[Diagnostic]]:
    found = {}
    for name in _files(root):
        text = (root / name).read_text(encoding="utf-8")
        found[name] = lint_source(name, text, CONFIG, project=project, raise_errors=True)
    return found


def _found(results: dict[str, list[Diagnostic]]) -> set[tuple[str, int, str]]:
    return {(name, d.line, d.code) for name, ds in results.items() for d in ds}


def _snapshot(root: Path, results: dict[str, list[Diagnostic]]) -> str:
    """Each file's diagnostics as ``tests/test_rules.py`` writes them, each related location with its
    file and the code quoted from that file."""
    out: list[str] = []
    for name, diagnostics in results.items():
        if not diagnostics:
            continue
        out.append(f"## {name}")
        for d in sorted(diagnostics, key=Diagnostic.sort_key):
            fix = "no fix" if d.fix is None else f"fix {d.fix.applicability.value}: {d.fix.message}"
            lines = split_lines_keepends((root / name).read_text(encoding="utf-8"))
            out.append(
                f"{d.line}:{d.column}-{d.end_line}:{d.end_column} {d.code} {d.message} | {fix}"
                f" | `{quote(lines, d)}`"
            )
            for r in d.related:
                there = split_lines_keepends((root / r.path).read_text(encoding="utf-8"))
                out.append(
                    f"    related {r.path}:{r.line}:{r.column}-{r.end_line}:{r.end_column} "
                    f"{r.message} | `{quote(there, r)}`"
                )
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("name", NAMES)
def test_project(name: str, update_fixtures: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    root = PROJECTS / name
    monkeypatch.chdir(root)
    results = _lint_tree(root, Project(str(root)))
    expected = {
        (file, line, code)
        for file in _files(root)
        for line, code in expected_errors((root / file).read_text(encoding="utf-8"), file)
    }
    assert _found(results) == expected
    check_snapshot(
        SNAPSHOTS / "projects" / f"{name}.txt", _snapshot(root, results), update_fixtures
    )


@pytest.mark.parametrize("name", NAMES)
def test_without_a_project_nothing_crosses_modules(name: str) -> None:
    """Without a project every imported name is unknown, as before: none of the marked findings."""
    root = PROJECTS / name
    for file in _files(root):
        text = (root / file).read_text(encoding="utf-8")
        assert lint_source(str(root / file), text, CONFIG) == [], file


def test_the_project_root_and_module_names() -> None:
    root = PROJECTS / "srclayout"
    project = project_for(str(root / "src" / "crawler" / "cli.py"))
    assert project.root == str(root)
    assert project.module_of(str(root / "src" / "crawler" / "cli.py")) == "crawler.cli"
    assert project.module_of(str(root / "src" / "crawler" / "__init__.py")) == "crawler"
    assert project.module_of(str(root / "scripts" / "run.py")) == "scripts.run"
    relpkg = Project(str(PROJECTS / "relpkg"))
    runner_path = str(PROJECTS / "relpkg" / "app" / "runner.py")
    assert relpkg.absolute(runner_path, 1, "tasks") == "app.tasks"
    assert relpkg.absolute(runner_path, 1, None) == "app"
    assert relpkg.absolute(runner_path, 3, None) is None
    assert relpkg.resolve(runner_path, "app.tasks") == str(PROJECTS / "relpkg" / "app" / "tasks.py")
    # outside the tree: the standard library, an installed or missing package
    assert relpkg.resolve(runner_path, "os.path") is None
    assert relpkg.resolve(runner_path, "multiprocessing") is None
    assert relpkg.resolve(runner_path, "requests") is None


def test_a_file_alone_finds_what_the_root_gives(tmp_path: Path) -> None:
    """A file without a root marker above it is its own project: its siblings still resolve."""
    (tmp_path / "tasks.py").write_text("import sys\ndef work(x):\n    sys.exit(x)\n")
    main = "from multiprocessing import Pool\nfrom tasks import work\nPool(2).map(work, [1])\n"
    (tmp_path / "main.py").write_text(main)
    project = project_for(str(tmp_path / "main.py"))
    assert project.root in (str(tmp_path), *map(str, tmp_path.parents))
    found = lint_source(str(tmp_path / "main.py"), main, CONFIG, project=project)
    assert [(d.code, d.line, d.column) for d in found] == [("MPL201", 3, 1), ("MPL309", 3, 13)]
    (related,) = found[1].related
    assert (related.path, related.line, related.column) == (str(tmp_path / "tasks.py"), 3, 5)


def test_summaries_follow_the_files(tmp_path: Path) -> None:
    """A summary is recomputed when its module changes, and a result that depended on it is not
    served from the cache any more; an unchanged module is not read again."""
    (tmp_path / "pyproject.toml").write_text("")
    tasks = tmp_path / "tasks.py"
    tasks.write_text("def work(x):\n    return x\n")
    main = tmp_path / "main.py"
    main.write_text(
        "from multiprocessing import Pool\nfrom tasks import work\n"
        "def go():\n    with Pool(2) as pool:\n        pool.map(work, [1])\n"
    )
    cache = Cache(str(tmp_path / "cache"))

    def run() -> list[tuple[str, int]]:
        results = check_files(
            [Candidate(str(main), True)], lambda _: CONFIG, Options(), jobs=1, cache=cache
        )
        return [(d.code, d.line) for r in results for d in r.diagnostics]

    assert run() == []
    assert list((tmp_path / "cache" / "summaries").rglob("*.json"))
    os.utime(tasks, ns=(1, 1))  # an older stamp, as a checkout would leave
    tasks.write_text("import os\ndef work(x):\n    os._exit(x)\n")
    os.utime(tasks, ns=(2_000_000_000, 2_000_000_000))
    assert run() == [("MPL309", 5)]
    project = project_for(str(main), str(tmp_path / "cache"))
    reads: list[str] = []
    original = SummaryStore.load
    monkey = pytest.MonkeyPatch()
    monkey.setattr(
        SummaryStore,
        "load",
        lambda self, path, module: reads.append(path) or original(self, path, module),
    )
    try:
        project.summary(str(main), str(tasks), "tasks")
    finally:
        monkey.undo()
    assert reads == []


@pytest.mark.parametrize("name", NAMES)
def test_the_command_line_agrees_across_modes(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole tree, each file alone, and the tree in two worker processes: the same findings."""
    root = tmp_path / name
    shutil.copytree(PROJECTS / name, root)
    monkeypatch.chdir(root)
    files = _files(root)

    def findings(paths: list[str], jobs: int) -> set[tuple[str, int, int, str, str]]:
        results = check_files(
            [Candidate(p, True) for p in paths], lambda _: CONFIG, Options(), jobs=jobs, cache=None
        )
        return {
            (r.path, d.line, d.column, d.code, d.message) for r in results for d in r.diagnostics
        }

    whole = findings(files, 1)
    alone: set[tuple[str, int, int, str, str]] = set()
    for file in files:
        alone |= findings([file], 1)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(runner, "PARALLEL_MIN_FILES", 1)
    parallel = findings(files, 2)
    assert whole == alone == parallel
    expected = {
        (file, line, code)
        for file in files
        for line, code in expected_errors((root / file).read_text(encoding="utf-8"), file)
    }
    assert {(path, line, code) for path, line, _, code, _ in whole} == expected


def test_a_warm_run_sees_a_changed_import(tmp_path: Path) -> None:
    """A file that names no library of processes, cached while its import started none, is checked
    again once that module starts a pool at import-time call."""
    (tmp_path / "pyproject.toml").write_text("")
    helpers = tmp_path / "helpers.py"
    helpers.write_text("def go():\n    return 1\n")
    boot = tmp_path / "boot.py"
    boot.write_text("import helpers\n\nhelpers.go()\n")
    os.utime(boot, ns=(1, 1))
    cache = Cache(str(tmp_path / "cache"))

    def run() -> list[tuple[str, int]]:
        results = check_files(
            [Candidate(str(boot), True)], lambda _: CONFIG, Options(), jobs=1, cache=cache
        )
        return [(d.code, d.line) for r in results for d in r.diagnostics]

    assert run() == []
    helpers.write_text(
        "from multiprocessing import Pool\n\ndef go():\n    with Pool(2) as pool:\n"
        "        return pool.map(abs, [1])\n"
    )
    assert run() == [("MPL201", 3)]


@pytest.mark.parametrize("name", NAMES)
def test_summaries_survive_their_json_round_trip(name: str, tmp_path: Path) -> None:
    """Each module's summary, written to the cache and read back, is the same value; a second
    project on the same cache reads it instead of computing it."""
    root = PROJECTS / name
    cache = str(tmp_path / "cache")
    first, second = Project(str(root), cache), Project(str(root), cache)
    computed = 0
    for file in _files(root):
        path = str(root / file)
        module = first.module_of(path)
        summary = first.summary(path, path, module)
        assert summary is not None
        assert ModuleSummary.from_json(json.loads(json.dumps(summary.to_json()))) == summary
        computed += bool(summary.functions or summary.classes or summary.objects)
        monkey = pytest.MonkeyPatch()
        monkey.setattr("mplint.project.summarize.summarize_text", _refuse)
        try:
            assert second.summary(path, path, module) == summary
        finally:
            monkey.undo()
    assert computed


def _refuse(*args: object) -> ModuleSummary:
    raise AssertionError("the summary should come from the cache")


def test_standard_input_and_add_noqa_follow_imports(tmp_path: Path) -> None:
    """``--stdin-filename`` (an editor's or pre-commit's way) and ``--add-noqa`` see the same
    findings as a check of the file."""
    root = tmp_path / "three"
    shutil.copytree(PROJECTS / "three", root)
    text = (root / "main.py").read_text(encoding="utf-8")
    piped = mplint("check", "--no-cache", "--stdin-filename", "main.py", "-", cwd=root, stdin=text)
    checked = mplint("check", "--no-cache", "main.py", cwd=root)
    assert piped.stdout == checked.stdout
    assert "MPL309" in checked.stdout and "MPL310" in checked.stdout
    mplint("check", "--no-cache", "--add-noqa", "main.py", cwd=root)
    assert mplint("check", "--no-cache", "main.py", cwd=root).returncode == 0


def test_a_module_without_modelled_facts_is_summarised_from_cpythons_tree() -> None:
    """Names, arity, lambdas and re-exports read from CPython's tree agree with the model's, for a
    module that needs no model (no library of processes, no exit, no ``global``)."""
    from mplint.project.summarize import summarize_text

    text = (
        "from .tasks import work as job\n"
        "def a(x, y=1, *rest): ...\n"
        "def b(p, /, q, *, k): ...\n"
        "c = lambda u, v: u\n"
        "@deco\n"
        "def d(z): ...\n"
        "@staticmethod\n"
        "def e(): ...\n"
        "LIMIT = 3\n"
    )
    light = summarize_text("pkg/mod.py", "pkg.mod", text, "0")
    heavy = summarize_text("pkg/mod.py", "pkg.mod", text + "global_ = exit(0)\n", "0")
    assert light.functions == heavy.functions
    assert [(f.name, f.arity, f.is_lambda) for f in light.functions] == [
        ("a", (1, None), False),
        ("b", (2, 2), False),
        ("c", (2, 2), True),
        ("d", None, False),
        ("e", (0, 0), False),
    ]
    assert light.reexports == heavy.reexports == (("job", "pkg.tasks", "work"),)
    assert light.variables == ("LIMIT",)
    assert heavy.variables == ("LIMIT", "global_")


def test_only_imported_modules_are_summarised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Linting one file summarises only the modules it imports that a rule asks about."""
    root = PROJECTS / "three"
    monkeypatch.chdir(root)
    project = Project(str(root))
    loaded: list[str] = []
    original = SummaryStore.load

    def load(self: SummaryStore, path: str, module: str) -> object:
        loaded.append(os.path.relpath(path, root))
        return original(self, path, module)

    monkeypatch.setattr(SummaryStore, "load", load)
    text = (root / "main.py").read_text(encoding="utf-8")
    lint_source("main.py", text, CONFIG, project=project)
    assert sorted(loaded) == ["pools.py", "tasks.py"]
    assert [d.path for d in project.dependencies("main.py")] == [
        str(root / "pools.py"),
        str(root / "tasks.py"),
    ]
    loaded.clear()
    lint_source("main.py", text, CONFIG, project=project)
    assert loaded == []  # unchanged modules are not read again


def test_module_state_mutations_are_summarised_as_the_model_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A module that imports no library of processes, has no exit and no ``global`` but changes a
    module-level container in place gets the writes the model finds; one that does not is never
    parsed by libcst."""
    from mplint.project.summarize import summarize_text

    text = (
        "results = []\n"
        "cache = {}\n"
        "def collect(x):\n"
        "    results.append(x * 2)\n"
        "def store(k, v):\n"
        "    cache[k] = v\n"
        "def drop(k):\n"
        "    del cache[k]\n"
        "def local(x):\n"
        "    results = []\n"
        "    results.append(x)\n"
    )
    light = summarize_text("pkg/mod.py", "pkg.mod", text, "0")
    heavy = summarize_text("pkg/mod.py", "pkg.mod", text + "global_ = exit(0)\n", "0")
    assert light.functions == heavy.functions
    writes = {
        f.name: [(w.name, w.how, w.span.to_json(), w.code) for w in f.writes_globals]
        for f in light.functions
    }
    assert writes == {
        "collect": [("results", "mutate", [4, 5, 4, 26], "results.append(x * 2)")],
        "store": [("cache", "mutate", [6, 5, 6, 17], "cache[k] = v")],
        "drop": [("cache", "mutate", [8, 5, 8, 17], "del cache[k]")],
        "local": [],
    }

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("parsed by libcst")

    monkeypatch.setattr("mplint.project.summarize.cst.parse_module", refuse)
    quiet = "results = []\ndef peek(i):\n    return results[i]\ndef other(r):\n    r.append(1)\n"
    assert summarize_text("pkg/quiet.py", "pkg.quiet", quiet, "0").functions[0].name == "peek"


def test_calls_of_imported_functions_are_summarised_from_cpythons_tree() -> None:
    """The calls a function makes of other modules' functions (itself or through the functions of its
    module it calls), whichever way the rest of the summary is computed, with the exits a ``try``
    on the way may not catch; local names hide the imported ones."""
    from mplint.project.summarize import summarize_text

    text = (
        "import pkg.util as u\n"
        "from . import util\n"
        "from .util import fail, stop\n"
        "def a(x):\n"
        "    try:\n"
        "        util.fail(x)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "    return b(x)\n"
        "def b(x):\n"
        "    try:\n"
        "        u.stop(x)\n"
        "    except (ValueError, KeyboardInterrupt):\n"
        "        pass\n"
        "def c(fail):\n"
        "    fail()\n"
        "    def inner():\n"
        "        stop()\n"
        "    print(len(x))\n"
        "def d():\n"
        "    try:\n"
        "        stop()\n"
        "    except Unknown:\n"
        "        pass\n"
    )
    light = summarize_text("pkg/mod.py", "pkg.mod", text, "0")
    heavy = summarize_text("pkg/mod.py", "pkg.mod", text + "global_ = exit(0)\n", "0")
    assert light.functions == heavy.functions
    calls = {
        f.name: [(c.qualname, c.span.to_json(), c.chain, c.escapes) for c in facts.calls]
        for f in light.functions
        if (facts := light.function(f.name)) is not None
    }
    assert calls == {
        "a": [
            ("pkg.util.fail", [6, 9, 6, 21], ("a",), ("KeyboardInterrupt",)),
            ("pkg.util.stop", [12, 9, 12, 18], ("a", "b"), ("SystemExit",)),
        ],
        "b": [("pkg.util.stop", [12, 9, 12, 18], ("b",), ("SystemExit",))],
        "c": [],
        "d": [("pkg.util.stop", [22, 9, 22, 15], ("d",), ())],
    }


def test_calls_across_modules_are_followed_with_a_depth_limit_and_no_cycle(
    tmp_path: Path,
) -> None:
    """Facts composed across modules that import each other end; a chain longer than the depth
    limit is not followed to its end."""
    from mplint.project.index import CALL_DEPTH

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("import b\ndef f(n):\n    return b.g(n)\n")
    (tmp_path / "b.py").write_text("import a\ndef g(n):\n    return a.f(n)\n")
    project = Project(str(tmp_path))
    main = str(tmp_path / "main.py")
    found = project.function(main, "a.f")
    assert found is not None and found[0].exits == () and found[0].starts is None
    for i in range(CALL_DEPTH + 2):
        (tmp_path / f"m{i}.py").write_text(f"import m{i + 1}\ndef f():\n    m{i + 1}.f()\n")
    (tmp_path / f"m{CALL_DEPTH + 2}.py").write_text("import os\ndef f():\n    os._exit(1)\n")
    deep = project.function(main, "m0.f")
    assert deep is not None and deep[0].exits == ()
    near = project.function(main, f"m{2}.f")
    assert near is not None
    assert [(e.code, e.function, e.path) for e in near[0].exits] == [
        ("os._exit(1)", f"m{CALL_DEPTH + 2}.f", str(tmp_path / f"m{CALL_DEPTH + 2}.py"))
    ]


def test_imports_and_calls_at_import_time_are_read_exactly() -> None:
    """What a module imports and calls when it is imported: in blocks and class bodies too, not in
    function bodies (their decorators and defaults run)."""
    import ast

    from mplint.project.astfacts import import_time

    text = (
        "import os, helpers as h\n"
        "try:\n"
        "    from .boot import go\n"
        "except ImportError:\n"
        "    go = None\n"
        "if os.environ:\n"
        "    CACHE = h.warm()\n"
        "with open('x') as f:\n"
        "    go()\n"
        "class C:\n"
        "    value = made()\n"
        "@decorate()\n"
        "def run(x=default()):\n"
        "    import late\n"
        "    hidden()\n"
    )
    imports, called = import_time(ast.parse(text))
    assert sorted(imports) == [
        (0, "helpers", "h"),
        (0, "os", "os"),
        (1, "boot", "go"),
        (1, "boot.go", "go"),
    ]
    assert called == {"h", "open", "go", "made", "decorate", "default"}


def test_a_warm_run_sees_a_module_created_later(tmp_path: Path) -> None:
    """Results cached while an import named no file of the tree are checked again once the module
    appears: for a file the engine lints and for one the gate turned away."""
    (tmp_path / "pyproject.toml").write_text("")
    main = tmp_path / "main.py"
    main.write_text(
        "from multiprocessing import Pool\nfrom tasks import work\n"
        "def go():\n    with Pool(2) as pool:\n        pool.map(work, [1])\n"
    )
    boot = tmp_path / "boot.py"
    boot.write_text("import helpers\n\nif helpers:\n    helpers.go()\n")
    for path in (main, boot):
        os.utime(path, ns=(1, 1))
    cache = Cache(str(tmp_path / "cache"))

    def run() -> list[tuple[str, str, int]]:
        results = check_files(
            [Candidate(str(main), True), Candidate(str(boot), True)],
            lambda _: CONFIG,
            Options(),
            jobs=1,
            cache=cache,
        )
        return [(os.path.basename(r.path), d.code, d.line) for r in results for d in r.diagnostics]

    assert run() == []
    assert run() == []
    (tmp_path / "tasks.py").write_text("import sys\ndef work(x):\n    sys.exit(x)\n")
    (tmp_path / "helpers.py").write_text(
        "from multiprocessing import Pool\n\ndef go():\n    with Pool(2) as pool:\n"
        "        return pool.map(abs, [1])\n"
    )
    assert run() == [("main.py", "MPL309", 5), ("boot.py", "MPL201", 4)]


def test_the_gate_builds_no_tree_when_nothing_imported_can_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose imports of the tree reach no module that may start processes (read from their
    texts, through the modules they import) is turned away before CPython's tree is built; one that
    reaches such a module through another is not."""
    import ast

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "util.py").write_text("import helpers\ndef go():\n    return helpers.size()\n")
    (tmp_path / "helpers.py").write_text("def size():\n    return 1\n")
    boot = "import util\n\nif util:\n    util.go()\n"
    original = ast.parse
    parsed: list[str] = []

    def parse(source: str, *args: object, **kwargs: object) -> ast.Module:
        parsed.append(source)
        return original(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ast, "parse", parse)
    project = Project(str(tmp_path))
    assert not project.imports_starter(str(tmp_path / "boot.py"), boot)
    assert parsed == []
    (tmp_path / "helpers.py").write_text(
        "from multiprocessing import Pool\ndef size():\n    with Pool(2) as pool:\n"
        "        return len(pool.map(abs, [1]))\n"
    )
    project = Project(str(tmp_path))
    assert project.imports_starter(str(tmp_path / "boot.py"), boot)
    assert boot in parsed
    assert [os.path.basename(d.path) for d in project.dependencies(str(tmp_path / "boot.py"))] == [
        "helpers.py",
        "util.py",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from app import go\ngo()\n", True),
        ("from app import (\n    other,  # a comment\n    go,\n)\nif x:\n    go()\n", True),
        ("import app.tasks as t\nclass C:\n    v = t.make()\n", True),
        ("from app import go\ndef f():\n    go()\n", False),
        ("from app import go\ndef f(\n    x=go(),\n):\n    pass\n", True),
        ("from app import go\n@go()\ndef f():\n    pass\n", True),
        ("from app import go\nx = (\n    go\n    .attr()\n)\n", True),
        ("import os\nos.getcwd()\n", False),
        ("from app import \\\n    go\n", True),
    ],
)
def test_the_text_test_before_the_tree_is_a_superset(text: str, expected: bool) -> None:
    from mplint.project.texts import may_call_tree_at_import

    assert may_call_tree_at_import(text) is expected


def test_summaries_say_what_objects_classes_and_factories_are() -> None:
    """The kinds of module-level objects, of what factories return, and the library class a class
    derives from, with the methods it defines and calls on itself; unmodelled ones stay unknown."""
    root = PROJECTS / "kinds"
    project = Project(str(root))
    shared = project.summary(str(root), str(root / "crawl" / "shared.py"), "crawl.shared")
    workers = project.summary(str(root), str(root / "crawl" / "workers.py"), "crawl.workers")
    assert shared is not None and workers is not None
    assert [(o.name, o.kind) for o in shared.objects] == [
        ("seen_lock", KindFacts("threading.Lock", "threading")),
        ("pending", KindFacts("queue.Queue", "threading")),
        ("results", KindFacts("Queue", "multiprocessing")),
        ("stats_lock", KindFacts("Lock", "multiprocessing")),
    ]
    assert shared.variables == ("LIMIT",)
    returns = {f.name: f.returns for f in workers.functions}
    assert returns == {
        "make_inbox": KindFacts("queue.Queue", "threading"),
        "make_outbox": KindFacts("Queue", "multiprocessing"),
        "make_settings": None,
        "make_pool": KindFacts("Pool", "multiprocessing"),
        "make_executor": KindFacts("ProcessPoolExecutor", "concurrent.futures"),
    }
    crawler, supervised, reporter = workers.classes
    assert (crawler.name, crawler.base, crawler.methods, crawler.self_calls) == (
        "Crawler",
        KindFacts("Process", "multiprocessing"),
        ("__init__", "run"),
        (),
    )
    assert (supervised.methods, supervised.self_calls) == (("run", "start"), ("is_alive",))
    assert reporter.base == KindFacts("Thread", "threading")
    assert not reporter.process_subclass


def test_starts_and_calls_under_a_test_of_a_parameter_are_guarded() -> None:
    """A start, or a call of another module's function, under a test of a parameter of the function
    that makes it (a branch, an early exit, the right of ``and``), or reached only through such
    calls of the module's functions, is guarded; one under a test of anything else is not."""
    from mplint.project.summarize import summarize_text

    text = (
        "import multiprocessing\n"
        "from pkg import util\n"
        "LIMIT = 2\n"
        "def branch(n):\n"
        "    if n > 1:\n"
        "        return multiprocessing.Pool(n)\n"
        "def early(flag):\n"
        "    if not flag:\n"
        "        return None\n"
        "    return multiprocessing.Pool(2)\n"
        "def either(flag):\n"
        "    return flag and multiprocessing.Pool(2)\n"
        "def constant():\n"
        "    if LIMIT > 1:\n"
        "        return multiprocessing.Pool(2)\n"
        "def through(x, flag):\n"
        "    if flag:\n"
        "        return plain(x)\n"
        "def twice(x, flag):\n"
        "    if flag:\n"
        "        plain(x)\n"
        "    return plain(x)\n"
        "def plain(x):\n"
        "    util.work(x)\n"
        "    return multiprocessing.Pool(2)\n"
        "def calls(x, flag):\n"
        "    if flag:\n"
        "        util.work(x)\n"
        "    util.other(x)\n"
    )
    summary = summarize_text("pkg/mod.py", "pkg.mod", text, "0")
    starts = {
        f.name: (f.starts.chain, f.starts.guarded)
        for f in summary.functions
        if f.starts is not None
    }
    assert starts == {
        "branch": (("branch",), True),
        "early": (("early",), True),
        "either": (("either",), True),
        "constant": (("constant",), False),
        "through": (("through", "plain"), True),
        "twice": (("twice", "plain"), False),
        "plain": (("plain",), False),
    }
    calls = {
        f.name: [(c.qualname, c.span.line, c.guarded) for c in facts.calls]
        for f in summary.functions
        if (facts := summary.function(f.name)) is not None
    }
    assert calls["through"] == [("pkg.util.work", 24, True)]
    assert calls["calls"] == [("pkg.util.work", 28, True), ("pkg.util.other", 29, False)]
    again = ModuleSummary.from_json(json.loads(json.dumps(summary.to_json())))
    assert again == summary


def test_the_texts_of_functions_are_read_as_their_summaries_take_them() -> None:
    """The functions at the margin, their text up to the next top-level statement (a signature's
    closing bracket at the margin does not end it), what they call; a name bound twice is no
    function, a lambda or a string that may reach past the end cannot be told."""
    from mplint.project.texts import MarginDefs, import_time_calls, text_bindings

    text = (
        "import app.util as u\n"
        "from .jobs import (\n    run,  # the runner\n    stop as halt,\n)\n"
        "def go(\n    x,\n):\n    u.fail(x)\n    helper(x)\n"
        "# a comment at the margin\n"
        "    return x\n"
        "@decorate\n"
        "def twice():\n    pass\n"
        "def twice():\n    pass\n"
        "quick = lambda: run()\n"
        "def text():\n    '''a string\n"
        "def inside(): ...\n'''\n"
        "halt()\n"
        "def later():\n    run()\n"
        "u.fail(\n    1)\n"
    )
    margin = MarginDefs(text)
    sure, calls, continued = margin.calls("go")
    assert (sure, calls, continued) == (True, [("go",), ("u", "fail"), ("helper",)], set())
    assert margin.function_text("twice") == (True, None)
    assert margin.function_text("missing") == (True, None)
    assert margin.function_text("quick") == (False, None)
    assert margin.function_text("text") == (False, None)
    # a superset: the body of a signature over lines, and a lambda's, may run at import
    assert import_time_calls(text) == [("u", "fail"), ("run",), ("halt",)]
    assert text_bindings(text) == {
        "u": {(0, "app.util")},
        "run": {(1, "jobs.run")},
        "halt": {(1, "jobs.stop")},
    }
