"""Code actions: quick fixes, silencing a line, and fixing everything.

One ``quickfix`` per fixable diagnostic (unsafe fixes as separate actions titled "… (unsafe)"), "Disable
MPLxxx for this line" (merged into an existing ``# noqa`` list), and ``source.fixAll.mplint`` (every safe
fix, verified by ``fix_source``; computed on ``codeAction/resolve`` when the client supports it, so the cheap
cursor-move requests never run the fixer).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from lsprotocol import types

from mplint.config import Config
from mplint.diagnostics import META_CODES, Applicability, Diagnostic, Edit
from mplint.fixes import fix_source
from mplint.server.capabilities import kind_name
from mplint.server.documents import Document, Result
from mplint.server.lint import SOURCE, to_lsp
from mplint.server.text import diff_edits
from mplint.server.workers import WorkerDied
from mplint.suppression import add_noqa_codes

if TYPE_CHECKING:
    from mplint.server import MplintLanguageServer

log = logging.getLogger(__name__)

#: The code action kind of "apply every safe fix" (``editor.codeActionsOnSave`` in VS Code).
FIX_ALL_KIND = "source.fixAll.mplint"


def _wanted(only: Optional[Sequence[object]], kind: str) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in map(kind_name, only))


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return p.line, p.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _has_safe_fix(diagnostic: Diagnostic) -> bool:
    fix = diagnostic.fix
    return fix is not None and bool(fix.edits) and fix.applicability is Applicability.SAFE


class CodeActions:
    """``textDocument/codeAction`` and ``codeAction/resolve``, with the last fix-all of each document."""

    def __init__(self, server: MplintLanguageServer) -> None:
        self._server = server
        # uri -> (text, configuration, fixed text or None, why the fixes were refused or None)
        self._fix_all_cache: dict[str, tuple[str, Config, Optional[str], Optional[str]]] = {}

    def forget(self, uri: Optional[str] = None) -> None:
        """Drop the fix-all of ``uri`` (closed), or of every document (the configuration changed)."""
        if uri is None:
            self._fix_all_cache.clear()
        else:
            self._fix_all_cache.pop(uri, None)

    async def code_actions(
        self, params: types.CodeActionParams
    ) -> Optional[list[types.CodeAction]]:
        document, result = await self._server.linter.fresh_result(params.text_document.uri)
        if document is None or result is None:
            return None
        only = params.context.only
        actions: list[types.CodeAction] = []
        if _wanted(only, types.CodeActionKind.QuickFix.value):
            targets = self._targets(params, document, result)
            for diagnostic, lsp in targets:
                action = self._quick_fix(document, diagnostic, lsp)
                if action is not None:
                    actions.append(action)
            silenced: set[tuple[str, int]] = set()
            for diagnostic, lsp in targets:
                key = (diagnostic.code, diagnostic.noqa_line or diagnostic.line)
                action = None if key in silenced else self._noqa_action(document, diagnostic, lsp)
                if action is not None:
                    silenced.add(key)
                    actions.append(action)
        if _wanted(only, FIX_ALL_KIND) and any(map(_has_safe_fix, result.diagnostics)):
            action = types.CodeAction(
                title="mplint: Fix all auto-fixable problems",
                kind=FIX_ALL_KIND,
                data={"uri": document.uri, "version": document.version},
            )
            if self._server.capabilities.resolve_edit:
                actions.append(action)
            elif only or params.context.trigger_kind == types.CodeActionTriggerKind.Invoked:
                resolved = await self.resolve_fix_all(action)
                if resolved.edit is not None:
                    actions.append(resolved)
        return actions or None

    def _targets(
        self, params: types.CodeActionParams, document: Document, result: Result
    ) -> list[tuple[Diagnostic, types.Diagnostic]]:
        """The engine diagnostics the request is about, paired with their LSP form."""
        encoding = self._server.encoding
        related = self._server.capabilities.related_information
        ours = [(d, to_lsp(document, d, encoding, related)) for d in result.diagnostics]
        wanted = [d for d in params.context.diagnostics if d.source == SOURCE]
        if not wanted:  # no context: the diagnostics under the requested range
            return [(d, lsp) for d, lsp in ours if _overlaps(lsp.range, params.range)]
        out: list[tuple[Diagnostic, types.Diagnostic]] = []
        for given in wanted:
            exact = [
                (d, lsp) for d, lsp in ours if lsp.code == given.code and lsp.range == given.range
            ]
            near = exact or [
                (d, lsp)
                for d, lsp in ours
                if lsp.code == given.code and _overlaps(lsp.range, given.range)
            ]
            for pair in near[:1]:
                if pair not in out:
                    out.append(pair)
        return out

    def _quick_fix(
        self, document: Document, diagnostic: Diagnostic, lsp: types.Diagnostic
    ) -> Optional[types.CodeAction]:
        fix = diagnostic.fix
        if fix is None or not fix.edits or fix.applicability is Applicability.DISPLAY:
            return None
        unsafe = fix.applicability is Applicability.UNSAFE
        return types.CodeAction(
            title=f"{fix.message} (unsafe)" if unsafe else fix.message,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[lsp],
            is_preferred=not unsafe,
            edit=self._workspace_edit(document, [self._text_edit(document, e) for e in fix.edits]),
        )

    def _noqa_action(
        self, document: Document, diagnostic: Diagnostic, lsp: types.Diagnostic
    ) -> Optional[types.CodeAction]:
        if diagnostic.code in META_CODES:
            return None  # files that could not be checked cannot be silenced
        text, encoding = document.text, self._server.encoding
        index = text.position_at(
            text.engine_offset(diagnostic.noqa_line or diagnostic.line, 1), encoding
        ).line
        line = text.line(index)
        updated = add_noqa_codes(line, [diagnostic.code])
        if updated == line:
            return None
        prefix = 0
        while prefix < min(len(line), len(updated)) and line[prefix] == updated[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < min(len(line), len(updated)) - prefix
            and line[len(line) - 1 - suffix] == updated[len(updated) - 1 - suffix]
        ):
            suffix += 1
        start, _ = text.line_bounds(index)
        edit = types.TextEdit(
            range=text.range_at(start + prefix, start + len(line) - suffix, encoding),
            new_text=updated[prefix : len(updated) - suffix],
        )
        return types.CodeAction(
            title=f"Disable {diagnostic.code} for this line",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[lsp],
            edit=self._workspace_edit(document, [edit]),
        )

    async def resolve_fix_all(self, action: types.CodeAction) -> types.CodeAction:
        server = self._server
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        document = server.documents.get(uri) if isinstance(uri, str) else None
        if document is None or action.kind != FIX_ALL_KIND:
            return action
        config = server.configuration.config_for(document)
        source = document.text.text
        cached = self._fix_all_cache.get(document.uri)
        if cached is not None and cached[0] == source and cached[1] == config:
            fixed, problem = cached[2], cached[3]
        else:
            fixed, problem = await self._fix_all(document.path, source, config, document.uri)
            if document.uri in server.documents:
                self._fix_all_cache[document.uri] = (source, config, fixed, problem)
        if problem is not None:
            server.show(f"mplint: fixes not applied: {problem}", types.MessageType.Warning)
        if fixed is None or server.documents.get(document.uri) is not document:
            return action
        action.edit = self._workspace_edit(
            document, diff_edits(document.text, fixed, server.encoding)
        )
        return action

    async def _fix_all(
        self, path: str, source: str, config: Config, uri: str
    ) -> tuple[Optional[str], Optional[str]]:
        """(fixed text, or None when nothing changes; why the fixes were refused, or None)."""
        try:
            result = await self._server.workers.run(fix_source, path, source, config, key=uri)
        except WorkerDied:
            return None, "the process fixing this file crashed"
        except Exception as error:
            log.exception("fix-all failed for %s", path)
            return None, f"{type(error).__name__}: {error}"
        if result.error is not None:
            return None, result.error
        if not result.changed or result.text == source:
            return None, None
        return result.text, None

    def _text_edit(self, document: Document, edit: Edit) -> types.TextEdit:
        return types.TextEdit(
            range=document.text.engine_range(
                edit.line, edit.column, edit.end_line, edit.end_column, self._server.encoding
            ),
            new_text=edit.content,
        )

    def _workspace_edit(
        self, document: Document, edits: Sequence[types.TextEdit]
    ) -> types.WorkspaceEdit:
        if self._server.capabilities.document_changes:
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(
                            uri=document.uri, version=document.version
                        ),
                        edits=list(edits),
                    )
                ]
            )
        return types.WorkspaceEdit(changes={document.uri: list(edits)})
