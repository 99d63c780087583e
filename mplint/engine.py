"""Lint one source text: prefilter, parse once, build the model once, run every rule in one batched pass.

Every front door (CLI, flake8, language server, pre-commit through the CLI) calls :func:`lint_source`.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import os
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Callable, Optional

import libcst as cst

from mplint.api_table import could_have_findings
from mplint.chunks import ChunkCache
from mplint.dedup import merge_superseded
from mplint.diagnostics import (
    BUDGET_EXCEEDED,
    INTERNAL_ERROR,
    PARSER_LIMIT,
    SYNTAX_ERROR,
    Diagnostic,
    Severity,
)
from mplint.edits import resolve
from mplint.gates import FUTURES, MODELLED, PROCESSES, file_facts, imported_modules
from mplint.incremental import Relevance
from mplint.model import build_model
from mplint.positions import Positions, StatementCodeCache
from mplint.registry import enabled_rules
from mplint.rule import LintRule, RuleContext
from mplint.settings import Config
from mplint.suppression import parse_suppressions

if TYPE_CHECKING:
    from mplint.project import KindFacts, Project

__all__ = ["META_URL", "could_have_findings", "lint_source", "rules_for"]

META_URL = "https://github.com/mplint/mplint/blob/main/rules/README.md#files-mplint-could-not-check"


def imports_modelled_module(text: str, tree: ast.Module) -> bool:
    """The import gate, on CPython's AST (already built for the syntax check): the file imports one of
    the modelled libraries by absolute name, somewhere. The model resolves names only through such
    imports (a relative import, even inside those packages, resolves to nothing), so a file without one
    cannot produce a finding. The rule-level gates (``gated``) refine it."""
    return not imported_modules(tree).isdisjoint(MODELLED)


def gated(
    rules: Sequence[type[LintRule]],
    text: str,
    tree: ast.Module,
    project: Optional[Project] = None,
    path: str = "<stdin>",
) -> list[type[LintRule]]:
    """The rules whose gate (``LintRule.GATE``, see ``mplint.gates``) lets this file through: the
    others cannot report in it. Empty when the file imports no modelled library, unless a ``project``
    says it imports a module of the tree whose functions start processes: then the rules that judge
    such calls (``LintRule.PROJECT_GATE``) are kept too. In a file that imports no library of
    processes, the objects of a modelled kind it imports from the project
    (``Project.imported_kinds``) count as imports of their libraries and mentions of their names."""
    facts = file_facts(text, tree)
    kinds: frozenset[KindFacts] = frozenset()
    if project is not None and facts.modules.isdisjoint(PROCESSES | FUTURES):
        kinds = project.imported_kinds(path, text)
    if kinds:
        # objects of another module of the project: the file uses their libraries and names
        facts = facts.including(
            {k.family.partition(".")[0] for k in kinds}, {k.name.rpartition(".")[2] for k in kinds}
        )
    if facts.modules.isdisjoint(MODELLED):
        chosen = []
    else:
        chosen = [rule for rule in rules if rule.GATE.passes(facts)]
    crossing = [r for r in rules if r.PROJECT_GATE and r not in chosen]
    if crossing and project is not None and project.imports_starter(path, text, tree):
        chosen.extend(crossing)
    return chosen


def rules_for(path: str, config: Config) -> list[type[LintRule]]:
    rules = enabled_rules(config.select, config.ignore, config.extend_select, config.preview)
    per_file = config.ignored_for(path)
    if per_file:
        rules = [r for r in rules if not any(r.CODE.startswith(c.upper()) for c in per_file)]
    return rules


def lint_source(
    path: str,
    text: str,
    config: Optional[Config] = None,
    *,
    rules: Optional[Sequence[type[LintRule]]] = None,
    apply_noqa: bool = True,
    prefilter: bool = True,
    raise_errors: bool = False,
    supersede: bool = True,
    project: Optional[Project] = None,
) -> list[Diagnostic]:
    """All diagnostics for one file's text, sorted by position.

    ``rules`` defaults to those the configuration enables for ``path``. ``apply_noqa=False`` leaves
    ``# noqa`` to the caller (flake8 does its own). ``raise_errors`` re-raises rule crashes (tests).
    ``supersede=False`` keeps the diagnostics other rules supersede on the same node (see
    ``mplint.dedup``) for a caller that merges them itself. ``project`` (see ``mplint.project``)
    answers the names the file imports from other modules of its tree; without it they are unknown.
    """
    config = config or Config()
    if (
        prefilter
        and not could_have_findings(text)
        and (project is None or not project.may_have_findings(path, text))
    ):
        return []
    with _collector_paused():
        return _lint_candidate(
            path, text, config, rules, apply_noqa, prefilter, raise_errors, supersede, project
        )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while one file is linted.

    A lint allocates tens of thousands of syntax-tree nodes and model entries, none of them in cycles
    that outlive it; the collector would walk them over and over as they pile up (a third of the time
    on a large file). Memory is still freed by reference counting; the collector runs again after.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _lint_candidate(
    path: str,
    text: str,
    config: Config,
    rules: Optional[Sequence[type[LintRule]]],
    apply_noqa: bool,
    prefilter: bool,
    raise_errors: bool,
    supersede: bool = True,
    project: Optional[Project] = None,
) -> list[Diagnostic]:
    chosen = list(rules) if rules is not None else rules_for(path, config)
    if not chosen:
        return []
    over = _over_size_budget(path, text, config)
    if over is not None:
        return [over]
    tree, syntax_error = _check_syntax(path, text)
    if syntax_error is not None and not _newer_syntax(syntax_error, config):
        return [syntax_error]
    if prefilter and tree is not None:
        chosen = gated(chosen, text, tree, project, path)
        if not chosen:
            return []
    module, error = _parse(path, text, tree)
    if module is None:
        # CPython's message, when it refused the file too, reads better than libcst's
        error = syntax_error or error
        return [error] if error is not None else []
    try:
        diagnostics = _lint_module(path, text, module, tree, config, chosen, raise_errors, project)
    except RecursionError:
        # Deeply nested (but valid) code: run again on a thread with a large stack.
        deep = _deep(
            lambda: _lint_module(path, text, module, tree, config, chosen, raise_errors, project)
        )
        if deep is None:
            deep = [_meta(path, SYNTAX_ERROR, "syntax-error", "too deeply nested to analyse", 1, 1)]
        diagnostics = deep
    if (apply_noqa or supersede) and diagnostics:
        suppressions = parse_suppressions(text)
        if apply_noqa:
            diagnostics = [d for d in diagnostics if not suppressions.suppresses(d)]
        if supersede:
            # after noqa: a suppressed diagnostic supersedes nothing
            diagnostics = merge_superseded(
                diagnostics,
                {rule.CODE: rule.SUPERSEDES for rule in chosen},
                None if apply_noqa else lambda d: not suppressions.suppresses(d),
            )
    return sorted(diagnostics, key=Diagnostic.sort_key)


_DEEP_LOCK = threading.Lock()


def _deep(work: Callable[[], list[Diagnostic]]) -> Optional[list[Diagnostic]]:
    """Run ``work`` on a thread with a 256 MiB stack and a high recursion limit; None if it still
    recurses too deeply. (The recursion limit is process-wide: it is raised only while this runs.)"""
    result: list[list[Diagnostic]] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(work())
        except RecursionError:
            pass
        except BaseException as error:  # re-raised in the caller's thread
            failure.append(error)

    with _DEEP_LOCK:
        old_limit = sys.getrecursionlimit()
        old_size = threading.stack_size()
        try:
            threading.stack_size(256 * 1024 * 1024)
            sys.setrecursionlimit(max(old_limit, 40_000))
            thread = threading.Thread(target=target, name="mplint-deep")
            thread.start()
            thread.join()
        finally:
            threading.stack_size(old_size)
            sys.setrecursionlimit(old_limit)
    if failure:
        raise failure[0]
    return result[0] if result else None


def _newer_syntax(error: Diagnostic, config: Config) -> bool:
    """CPython refused the file, but the configuration targets a newer Python than the running one:
    the file may use syntax this interpreter does not know (``type X = ...`` on 3.11 for py312). Then
    libcst, whose parser knows the newest grammar, decides; its own error is reported if it also fails.
    Errors about nesting are final (libcst's parser could overflow the C stack on them)."""
    target = config.target_version
    if target is None or "nested" in error.message:
        return False
    try:
        minor = int(target[len("py3") :])
    except ValueError:
        return False
    return sys.version_info < (3, minor)


def _over_size_budget(path: str, text: str, config: Config) -> Optional[Diagnostic]:
    """``MPL005`` when the text is over the configured size: its bytes in UTF-8 (libcst needs about
    1 GB of memory per 10 MB of source) or its lines; None within both limits."""
    limit = config.max_file_bytes
    if limit and len(text) * 4 > limit:  # UTF-8 takes at most 4 bytes a character
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limit:
            problem = f"{size:,} bytes is over the limit of {limit:,}"
            return budget_diagnostic(path, problem, "max-file-bytes")
    limit = config.max_file_lines
    if limit and text.count("\n") >= limit:
        lines = text.count("\n") + (not text.endswith("\n"))
        if lines > limit:
            problem = f"{lines:,} lines is over the limit of {limit:,}"
            return budget_diagnostic(path, problem, "max-file-lines")
    return None


def budget_diagnostic(path: str, problem: str, key: str) -> Diagnostic:
    """``MPL005``: the file is over one limit of the per-file budget (``key``), so it was not checked;
    the message says by how much, and how to raise the limit."""
    return _meta(
        path,
        BUDGET_EXCEEDED,
        "budget-exceeded",
        f"not checked: {problem} (raise `{key}` in [tool.mplint] or pass `--{key}`; 0 turns the "
        "limit off)",
        1,
        1,
        severity=Severity.WARNING,
    )


def _check_syntax(path: str, text: str) -> tuple[Optional[ast.Module], Optional[Diagnostic]]:
    """CPython's own verdict on the file, before libcst sees it: its AST (kept for the statements' line
    numbers, see ``positions.Positions``), or the syntax error.

    libcst's native parser can overflow the C stack on inputs CPython rejects (hundreds of nested
    brackets); CPython's parser refuses them with a SyntaxError first. The message is the
    interpreter's, like running the file would show.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = compile(
                text, path, "exec", ast.PyCF_ONLY_AST | ast.PyCF_TYPE_COMMENTS, dont_inherit=True
            )
    except SyntaxError as error:
        line = error.lineno or 1
        column = error.offset or 1
        message = error.msg or "invalid syntax"
        return None, _meta(
            path, SYNTAX_ERROR, "syntax-error", f"SyntaxError: {message}", line, column
        )
    except (RecursionError, MemoryError):
        return None, _meta(
            path, SYNTAX_ERROR, "syntax-error", "SyntaxError: too deeply nested", 1, 1
        )
    except ValueError as error:  # e.g. source code string cannot contain null bytes
        return None, _meta(path, SYNTAX_ERROR, "syntax-error", f"SyntaxError: {error}", 1, 1)
    return tree if isinstance(tree, ast.Module) else None, None


_CHUNKS: Optional[ChunkCache] = None
_STATEMENT_CODE: Optional[StatementCodeCache] = None
_RELEVANCE: Optional[Relevance] = None


def start_worker() -> None:
    """A language server's worker process: the protocol owns the standard output the worker inherits, so
    whatever it prints goes to standard error; and it parses with the piece cache."""
    os.dup2(2, 1)
    use_chunk_cache()


def use_chunk_cache(enabled: bool = True) -> None:
    """Parse files piece by piece, keeping the pieces, in this process (see ``mplint.chunks``): for a
    process that lints the same, slightly edited, texts again and again (the language server's workers).
    The generated code of the top-level statements that hold findings is kept too (see
    ``positions.StatementCodeCache``), and so are the facts that say which top-level definitions the
    model can leave out (see ``mplint.incremental``)."""
    global _CHUNKS, _STATEMENT_CODE, _RELEVANCE
    _CHUNKS = ChunkCache() if enabled else None
    _STATEMENT_CODE = StatementCodeCache() if enabled else None
    _RELEVANCE = Relevance() if enabled else None


def _parse(
    path: str, text: str, tree: Optional[ast.Module] = None
) -> tuple[Optional[cst.Module], Optional[Diagnostic]]:
    """libcst's tree of a text CPython has compiled (``_check_syntax`` runs first).

    What libcst refuses here is a limit of its parser, not an error in the file: a warning (``MPL004``)
    naming the parser's message, never an internal error. libcst 1.x refuses, for example, a keyword or
    operator written against a parenthesized conditional expression or lambda, ``assert(a if c else b)``,
    ``return(lambda: x)``, ``not(a if c else b)``, ``(a if c else b)if d else e``, and it can run out of
    stack on deeply nested code that CPython accepts.
    """
    try:
        if _CHUNKS is not None and tree is not None:
            module = _CHUNKS.parse(text, tree)
            if module is not None:
                return module, None
        return cst.parse_module(text), None
    except cst.ParserSyntaxError as error:
        message = str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"
        return None, _parser_limit(path, message, error.raw_line, error.raw_column + 1)
    except RecursionError:
        return None, _parser_limit(path, "too deeply nested to parse", 1, 1)
    except Exception as error:  # the parser must never take the run down
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return None, _parser_limit(path, f"{type(error).__name__}: {first}".rstrip(": "), 1, 1)


def _parser_limit(path: str, message: str, line: int, column: int) -> Diagnostic:
    return _meta(
        path,
        PARSER_LIMIT,
        "parser-limit",
        f"not checked: Python compiles this file but libcst's parser cannot read it ({message})",
        line,
        column,
        severity=Severity.WARNING,
    )


def _meta(
    path: str,
    code: str,
    name: str,
    message: str,
    line: int,
    column: int,
    *,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    return Diagnostic(
        path=path,
        code=code,
        name=name,
        message=message,
        severity=severity,
        line=max(line, 1),
        column=max(column, 1),
        end_line=max(line, 1),
        end_column=max(column, 1),
        url=META_URL,
    )


def _lint_module(
    path: str,
    text: str,
    module: cst.Module,
    tree: Optional[ast.Module],
    config: Config,
    chosen: Sequence[type[LintRule]],
    raise_errors: bool,
    project: Optional[Project] = None,
    opaque: Optional[frozenset[cst.CSTNode]] = None,
) -> list[Diagnostic]:
    """Build the model (leaving out the top-level statements in ``opaque``) and run the rules.

    In a process that keeps the facts of top-level statements (``use_chunk_cache``), ``opaque`` is
    first the top-level definitions nothing links to the module-level code; a result that may depend on
    them is thrown away and the module linted again whole (see ``mplint.incremental``)."""
    if opaque is None:
        if _RELEVANCE is not None:
            reduction = _RELEVANCE.reduce(module)
            if reduction.opaque:
                found = _lint_module(
                    path, text, module, tree, config, chosen, False, project, reduction.opaque
                )
                if reduction.agrees(found):
                    return found
        opaque = frozenset()
    try:
        model = build_model(module, path, config.default_start_method, opaque, project)
    except RecursionError:
        raise  # lint_source retries on a thread with a large stack
    except Exception as error:
        if raise_errors:
            raise
        return [_internal(path, "the semantic model", error)]
    context = RuleContext(path, model, config)
    instances = [rule(context) for rule in chosen]
    diagnostics: list[Diagnostic] = []
    _replay(model.tree.events, instances)
    for instance in instances:
        if instance.crash is not None:
            if raise_errors:
                raise instance.crash
            diagnostics.append(_internal(path, instance.CODE, instance.crash))
    if context.reports:
        crashed = {i.CODE for i in instances if i.crash is not None}
        reports = [r for r in context.reports if r.code not in crashed]
        diagnostics.extend(
            resolve(
                path,
                Positions(module, text, tree, model.tree.parents, _STATEMENT_CODE),
                reports,
                {r.CODE: r for r in chosen},
                config,
            )
        )
    return diagnostics


def _replay(events: Sequence[tuple[cst.CSTNode, bool]], instances: Sequence[LintRule]) -> None:
    """The batched traversal: every rule's ``visit_X``/``leave_X`` in one pass over the nodes.

    The model's pass already walked the tree and recorded each node entered and left; replaying that
    record dispatches to all rules at once without a second walk (the same order and semantics as
    libcst's ``visit_batched``: visitors cannot stop the descent; a crashing rule is switched off).
    """
    visits: dict[str, list[Callable[[cst.CSTNode], None]]] = {}
    leaves: dict[str, list[Callable[[cst.CSTNode], None]]] = {}
    for instance in instances:
        for name, method in instance.get_visitors().items():
            kind, _, type_name = name.partition("_")
            (visits if kind == "visit" else leaves).setdefault(type_name, []).append(method)
    if not visits and set(leaves) <= {"Module"}:
        for method in leaves.get("Module", []):
            method(events[-1][0] if events else cst.Module(body=()))
        return
    visit_types, leave_types = _by_type(visits), _by_type(leaves)
    if visit_types is not None and leave_types is not None:
        # the same tables by node type: a type lookup per event, not its name's
        for node, leaving in events:
            methods = (leave_types if leaving else visit_types).get(type(node))
            if methods:
                for method in methods:
                    method(node)
        return
    # a name that is not one of libcst's node classes: tables by type, filled as types come
    by_type: tuple[dict[type[cst.CSTNode], list[Callable[[cst.CSTNode], None]]], ...] = ({}, {})
    for node, leaving in events:
        node_type = type(node)
        table = by_type[leaving]
        methods = table.get(node_type)
        if methods is None:
            methods = (leaves if leaving else visits).get(node_type.__name__, [])
            table[node_type] = methods
        for method in methods:
            method(node)


def _by_type(
    by_name: dict[str, list[Callable[[cst.CSTNode], None]]],
) -> Optional[dict[type[cst.CSTNode], list[Callable[[cst.CSTNode], None]]]]:
    """The visitor methods by node class (libcst exports every node class under its own name); None
    when a name is not one of them."""
    out: dict[type[cst.CSTNode], list[Callable[[cst.CSTNode], None]]] = {}
    for name, methods in by_name.items():
        kind = getattr(cst, name, None)
        if not (isinstance(kind, type) and issubclass(kind, cst.CSTNode) and kind.__name__ == name):
            return None
        out[kind] = methods
    return out


def _internal(path: str, where: str, error: BaseException) -> Diagnostic:
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    location = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return _meta(
        path,
        INTERNAL_ERROR,
        "internal-error",
        f"internal error in {where} on this file: {type(error).__name__}: {error}{location} "
        "(please report it; the other rules still ran)",
        1,
        1,
    )
