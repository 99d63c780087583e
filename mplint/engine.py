"""Lint one source text: prefilter, parse once, build the model once, run every rule in one batched pass.

Every front door (CLI, flake8, language server, pre-commit through the CLI) calls :func:`lint_source`.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import os
import re
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Callable, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

from mplint.api_table import PREFILTER_WORDS
from mplint.chunks import ChunkCache, statement_lines
from mplint.config import Config
from mplint.diagnostics import (
    INTERNAL_ERROR,
    IO_ERROR,
    SYNTAX_ERROR,
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    Severity,
)
from mplint.registry import enabled_rules
from mplint.rule import (
    FixSpec,
    InsertAfter,
    InsertBefore,
    LintRule,
    NodeEdit,
    RemoveStatement,
    Replace,
    ReplaceLines,
    Report,
    RuleContext,
)
from mplint.semantics import build_model
from mplint.suppression import noqa_line_map, parse_suppressions
from mplint.text import LineIndex

__all__ = ["META_URL", "could_have_findings", "lint_source", "rules_for"]

_PREFILTER_TEXT = tuple(word.decode() for word in PREFILTER_WORDS)
META_URL = "https://github.com/mplint/mplint/blob/main/rules/README.md#files-mplint-could-not-check"
#: Larger files are reported as not checked (libcst needs about 1 GB of memory per 10 MB of source).
MAX_FILE_CHARS = 10_000_000


def could_have_findings(text: str) -> bool:
    """The text prefilter: a file naming none of the modules we model cannot produce a finding."""
    return any(word in text for word in _PREFILTER_TEXT)


# A line that imports one of the modelled modules (over-approximate: it may match in a string too).
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(?:multiprocess|concurrent|billiard|threading|torch)"
    r"|import[ \t][^\n]*\b(?:multiprocess|concurrent|billiard|threading|torch))",
    re.MULTILINE,
)
_MODELLED_TOP_MODULES = frozenset(
    {"multiprocessing", "multiprocess", "concurrent", "billiard", "threading", "torch"}
)


def imports_modelled_module(text: str, tree: ast.Module) -> bool:
    """The gate after the prefilter, on CPython's AST (already built for the syntax check): the file
    imports one of the modelled modules by absolute name, somewhere. The model resolves names only
    through such imports (a relative import, even inside those packages, resolves to nothing), so a
    file without one cannot produce a finding. A regular expression answers yes for most files; only
    files it finds no import line in are walked."""
    if _IMPORT_LINE.search(text):
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name.partition(".")[0] in _MODELLED_TOP_MODULES for a in node.names):
                return True
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.partition(".")[0] in _MODELLED_TOP_MODULES
        ):
            return True
    return False


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
) -> list[Diagnostic]:
    """All diagnostics for one file's text, sorted by position.

    ``rules`` defaults to those the configuration enables for ``path``. ``apply_noqa=False`` leaves
    ``# noqa`` to the caller (flake8 does its own). ``raise_errors`` re-raises rule crashes (tests).
    """
    config = config or Config()
    if prefilter and not could_have_findings(text):
        return []
    with _collector_paused():
        return _lint_candidate(path, text, config, rules, apply_noqa, prefilter, raise_errors)


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
) -> list[Diagnostic]:
    chosen = list(rules) if rules is not None else rules_for(path, config)
    if not chosen:
        return []
    if len(text) > MAX_FILE_CHARS:
        return [
            _meta(
                path,
                IO_ERROR,
                "io-error",
                f"not checked: {len(text) / 1e6:.1f} million characters is over the "
                f"{MAX_FILE_CHARS // 1_000_000} million limit",
                1,
                1,
            )
        ]
    tree, error = _check_syntax(path, text)
    if error is not None:
        return [error]
    if prefilter and tree is not None and not imports_modelled_module(text, tree):
        return []
    module, error = _parse(path, text, tree)
    if module is None:
        return [error] if error is not None else []
    try:
        diagnostics = _lint_module(path, text, module, tree, config, chosen, raise_errors)
    except RecursionError:
        # Deeply nested (but valid) code: run again on a thread with a large stack.
        deep = _deep(lambda: _lint_module(path, text, module, tree, config, chosen, raise_errors))
        if deep is None:
            deep = [_meta(path, SYNTAX_ERROR, "syntax-error", "too deeply nested to analyse", 1, 1)]
        diagnostics = deep
    if apply_noqa and diagnostics:
        suppressions = parse_suppressions(text)
        diagnostics = [d for d in diagnostics if not suppressions.suppresses(d)]
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


def _check_syntax(path: str, text: str) -> tuple[Optional[ast.Module], Optional[Diagnostic]]:
    """CPython's own verdict on the file, before libcst sees it: its AST (kept for the statements' line
    numbers, see ``_Positions``), or the syntax error.

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


def start_worker() -> None:
    """A language server's worker process: the protocol owns the standard output the worker inherits, so
    whatever it prints goes to standard error; and it parses with the piece cache."""
    os.dup2(2, 1)
    use_chunk_cache()


def use_chunk_cache(enabled: bool = True) -> None:
    """Parse files piece by piece, keeping the pieces, in this process (see ``mplint.chunks``): for a
    process that lints the same, slightly edited, texts again and again (the language server's workers)."""
    global _CHUNKS
    _CHUNKS = ChunkCache() if enabled else None


def _parse(
    path: str, text: str, tree: Optional[ast.Module] = None
) -> tuple[Optional[cst.Module], Optional[Diagnostic]]:
    try:
        if _CHUNKS is not None and tree is not None:
            module = _CHUNKS.parse(text, tree)
            if module is not None:
                return module, None
        return cst.parse_module(text), None
    except cst.ParserSyntaxError as error:
        message = str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"
        line, column = error.raw_line, error.raw_column + 1
        return None, _meta(
            path, SYNTAX_ERROR, "syntax-error", f"SyntaxError: {message}", line, column
        )
    except RecursionError:
        return None, _meta(
            path, SYNTAX_ERROR, "syntax-error", "SyntaxError: too deeply nested to parse", 1, 1
        )
    except Exception as error:  # the parser must never take the run down
        return None, _meta(
            path,
            INTERNAL_ERROR,
            "internal-error",
            f"internal error while parsing: {type(error).__name__}: {error}",
            1,
            1,
        )


def _meta(path: str, code: str, name: str, message: str, line: int, column: int) -> Diagnostic:
    return Diagnostic(
        path=path,
        code=code,
        name=name,
        message=message,
        severity=Severity.ERROR,
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
) -> list[Diagnostic]:
    try:
        model = build_model(module, path, config.default_start_method)
    except RecursionError:
        raise  # lint_source retries on a thread with a large stack
    except Exception as error:
        if raise_errors:
            raise
        return [_internal(path, "the semantic model", error)]
    context = RuleContext(path, model, config)
    instances = [rule(context) for rule in chosen]
    diagnostics: list[Diagnostic] = []
    _replay(model.events, instances)
    for instance in instances:
        if instance.crash is not None:
            if raise_errors:
                raise instance.crash
            diagnostics.append(_internal(path, instance.CODE, instance.crash))
    if context.reports:
        crashed = {i.CODE for i in instances if i.crash is not None}
        reports = [r for r in context.reports if r.code not in crashed]
        diagnostics.extend(
            _resolve(
                path,
                _Positions(module, text, tree, model.parents),
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
    for node, leaving in events:
        methods = (leaves if leaving else visits).get(type(node).__name__)
        if methods:
            for method in methods:
                method(node)


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


class _OffsetState(CodegenState):
    """libcst's code generator, recording where each node's text starts and ends as offsets.

    libcst's PositionProvider computes line/column objects for every node of the module; a file with a
    finding needs a handful. Offsets are cheap to record; lines and columns are computed on demand.
    Ranges follow PositionProvider's rules (syntactic positions, hoisted from child nodes where libcst
    says so).
    """

    def __init__(self, module: cst.Module, *, start: int = 0, keep_text: bool = False) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.offset = start
        self._last = 0
        self.ranges: dict[cst.CSTNode, tuple[int, int]] = {}
        self._starts: list[int] = []
        self._keep_text = keep_text

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)
            if self._keep_text:
                self.tokens.append(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        self._last = len(value)
        if self._keep_text:
            self.tokens.append(value)

    def pop_trailing_newline(self) -> None:
        self.offset -= self._last  # as libcst drops the module's last newline token

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        if node not in self.ranges:
            self.ranges[node] = (start, self.offset)

    @contextlib.contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.ranges[start_node][0]
            if end_node is not None:
                end = self.ranges[end_node][1]
            self.ranges[node] = (start, end)


_STATEMENTS = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


class _Positions:
    """Node positions, computed only for files that have something to report, and only for the top-level
    statements that hold a reported node.

    A top-level statement's offset in the text comes from CPython's AST (the line its first token is
    on) less the length of its leading blank and comment lines; its nodes' offsets come from generating
    that statement's code alone, which must reproduce the text at that offset exactly. Anything that
    does not (a file without a final newline, a node outside every statement) falls back to generating
    the whole module once.
    """

    def __init__(
        self,
        module: cst.Module,
        text: str,
        tree: Optional[ast.Module] = None,
        parents: Optional[Mapping[cst.CSTNode, Optional[cst.CSTNode]]] = None,
    ) -> None:
        self.module = module
        self.text = text
        self.offsets: dict[cst.CSTNode, tuple[int, int]] = {}
        self.index = LineIndex(text)
        self.lines = self.index.lines
        self.newline = module.default_newline
        self._tree = tree
        self._parents = parents
        self._first_lines: Optional[dict[cst.CSTNode, int]] = None
        self._whole = False
        self._spans: dict[cst.CSTNode, tuple[int, int]] = {}  # statement -> (start, end) offsets
        self._segment_noqa: dict[cst.CSTNode, dict[int, int]] = {}
        self._module_noqa: Optional[dict[int, int]] = None

    def noqa_line(self, node: cst.CSTNode, line: int) -> int:
        """The line a ``# noqa`` for a finding at ``node`` (starting on ``line``) is read from: past the end
        of a multi-line string or a backslash continuation (``noqa_line_map``). Tokenizes only the
        top-level statement holding ``node`` when its span is known (no string or continuation crosses
        a top-level statement's end), else the whole file once."""
        statement = self._top_statement(node)
        span = self._spans.get(statement) if statement is not None else None
        if statement is None or span is None:
            if self._module_noqa is None:
                self._module_noqa = noqa_line_map(self.text)
            return self._module_noqa.get(line, line)
        mapping = self._segment_noqa.get(statement)
        if mapping is None:
            start, end = span
            first = self.index.position(start)[0] - 1  # 0-based line of the span
            local = noqa_line_map(self.text[self.index.starts[first] : end])
            mapping = {row + first: target + first for row, target in local.items()}
            self._segment_noqa[statement] = mapping
        return mapping.get(line, line)

    def _offsets_of(self, node: cst.CSTNode) -> tuple[int, int]:
        found = self.offsets.get(node)
        if found is None:
            if not self._whole and not self._generate_statement(node):
                self._generate_module()
            found = self.offsets[node]
        return found

    def _generate_module(self) -> None:
        state = _OffsetState(self.module)
        self.module._codegen(state)
        self.offsets = state.ranges
        self._whole = True

    def _top_statement(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        if self._parents is None:
            return None
        current: Optional[cst.CSTNode] = node
        while current is not None:
            parent = self._parents.get(current)
            if parent is self.module:  # a statement, or a line of the module's header or footer
                return current if isinstance(current, _STATEMENTS) else None
            current = parent
        return None

    def _statement_lines(self) -> dict[cst.CSTNode, int]:
        """Each top-level statement's first line (its decorators' included), from CPython's AST."""
        if self._first_lines is None:
            lines = statement_lines(self._tree) if self._tree is not None else []
            body = self.module.body
            # Not the same statements (cannot happen for one text): trust nothing.
            self._first_lines = dict(zip(body, lines)) if len(lines) == len(body) else {}
        return self._first_lines

    def _generate_statement(self, node: cst.CSTNode) -> bool:
        statement = self._top_statement(node)
        line = self._statement_lines().get(statement) if statement is not None else None
        if statement is None or line is None or not 0 < line <= len(self.lines):
            return False
        assert isinstance(statement, _STATEMENTS)
        leading = "".join(self.module.code_for_node(empty) for empty in statement.leading_lines)
        start = self.index.starts[line - 1] - len(leading)
        state = _OffsetState(self.module, start=start, keep_text=True)
        statement._codegen(state)
        if start < 0 or self.text[start : state.offset] != "".join(state.tokens):
            return False
        self.offsets.update(state.ranges)
        self._spans[statement] = (start, state.offset)
        return node in self.offsets

    def range(self, node: cst.CSTNode) -> CodeRange:
        start, end = self._offsets_of(node)
        return CodeRange(
            CodePosition(*self.index.position(start)), CodePosition(*self.index.position(end))
        )

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def indent_of(self, line: int) -> str:
        text = self.line_text(line)
        return text[: len(text) - len(text.lstrip(" \t"))]

    def line_end(self, line: int) -> tuple[int, int]:
        """Position just past the line's text, before its line ending (1-based column)."""
        text = self.line_text(line).rstrip("\r\n")
        return line, len(text) + 1


def _resolve(
    path: str,
    positions: _Positions,
    reports: list[Report],
    rules: dict[str, type[LintRule]],
    config: Config,
) -> list[Diagnostic]:

    out: list[Diagnostic] = []
    for report in reports:
        rule = rules[report.code]
        where = positions.range(report.node)
        fix = _fix(report.fix, rule, positions) if report.fix is not None else None
        if fix is not None and not _fixable(rule.CODE, config):
            fix = Fix(Applicability.DISPLAY, fix.message, fix.edits)
        out.append(
            Diagnostic(
                path=path,
                code=rule.CODE,
                name=rule.NAME,
                message=report.message,
                severity=rule.SEVERITY,
                line=where.start.line,
                column=where.start.column + 1,
                end_line=where.end.line,
                end_column=where.end.column + 1,
                fix=fix,
                url=rule.url(),
                noqa_line=positions.noqa_line(report.node, where.start.line),
            )
        )
    return out


def _fixable(code: str, config: Config) -> bool:
    def hits(selectors: tuple[str, ...]) -> int:
        return max(
            (len(s) for s in selectors if s.upper() == "ALL" or code.startswith(s.upper())),
            default=-1,
        )

    return hits(config.fixable) > hits(config.unfixable)


def _fix(spec: FixSpec, rule: type[LintRule], positions: _Positions) -> Optional[Fix]:
    edits: list[Edit] = []
    for intent in spec.edits:
        edit = _edit(intent, positions)
        if edit is None:
            return None
        edits.append(edit)
    edits.sort()
    title = spec.title or rule.FIX_TITLE or "Apply the fix"
    return Fix(spec.applicability, title, tuple(edits))


def _edit(intent: NodeEdit, positions: _Positions) -> Optional[Edit]:
    newline = positions.newline
    if isinstance(intent, Replace):
        where = positions.range(intent.node)
        text = intent.text
        if "\n" in text:
            indent = positions.indent_of(where.start.line)
            text = _indent_following_lines(text, indent, newline)
        return Edit(
            where.start.line,
            where.start.column + 1,
            where.end.line,
            where.end.column + 1,
            text,
        )
    if isinstance(intent, (InsertBefore, InsertAfter)):
        where = positions.range(intent.statement)
        indent = positions.indent_of(where.start.line)
        body = indent + _indent_following_lines(intent.text, indent, newline)
        if isinstance(intent, InsertBefore):
            if positions.line_text(where.start.line)[: where.start.column].strip():
                return None  # the statement does not start its line
            return Edit(where.start.line, 1, where.start.line, 1, body + newline)
        end_line, end_column = positions.line_end(where.end.line)
        return Edit(end_line, end_column, end_line, end_column, newline + body)
    if isinstance(intent, ReplaceLines):
        first = positions.range(intent.first)
        last = positions.range(intent.last)
        if positions.line_text(first.start.line)[: first.start.column].strip():
            return None
        end_line, end_column = positions.line_end(last.end.line)
        indent = positions.indent_of(first.start.line)
        text = indent + _indent_following_lines(intent.text, indent, newline)
        return Edit(first.start.line, 1, end_line, end_column, text)
    if isinstance(intent, RemoveStatement):
        where = positions.range(intent.statement)
        if positions.line_text(where.start.line)[: where.start.column].strip():
            return None
        if where.end.line < len(positions.lines):
            return Edit(where.start.line, 1, where.end.line + 1, 1, "")
        # last line of the file: remove it together with the preceding line ending
        if where.start.line == 1:
            end_line, end_column = positions.line_end(where.end.line)
            return Edit(1, 1, end_line, end_column, "")
        previous = where.start.line - 1
        start_line, start_column = positions.line_end(previous)
        end_line, end_column = positions.line_end(where.end.line)
        return Edit(start_line, start_column, end_line, end_column, "")
    raise TypeError(f"unknown fix intent {intent!r}")


def _indent_following_lines(text: str, indent: str, newline: str) -> str:
    lines = text.split("\n")
    return newline.join([lines[0], *[(indent + line) if line else line for line in lines[1:]]])
