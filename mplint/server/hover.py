"""Hover on a code in a ``# noqa: MPLxxx`` comment: the rule's name, summary and documentation link."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from lsprotocol import types

from mplint.diagnostics import META_CODES
from mplint.engine import META_URL
from mplint.registry import all_rules, rule_by_code
from mplint.server.text import chars
from mplint.suppression import FILE_NOQA_RE, NOQA_RE

if TYPE_CHECKING:
    from mplint.server import MplintLanguageServer
    from mplint.server.documents import Document

_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def noqa_hover(server: MplintLanguageServer, params: types.HoverParams) -> Optional[types.Hover]:
    """``textDocument/hover``: about the code under the cursor in a ``# noqa`` comment, if any."""
    document = server.documents.get(params.text_document.uri)
    if document is None:
        return None
    index = params.position.line
    line = document.text.line(index)
    column = chars(line, params.position.character, server.encoding)
    for pattern in (NOQA_RE, FILE_NOQA_RE):
        for match in pattern.finditer(line):
            if match.group("codes") is None:
                continue
            begin = match.start("codes")
            for code in _CODE.finditer(match.group("codes")):
                start, end = begin + code.start(), begin + code.end()
                if start <= column <= end:
                    return _hover_for(server, document, index, start, end, code.group(0))
    return None


def _hover_for(
    server: MplintLanguageServer,
    document: Document,
    index: int,
    start: int,
    end: int,
    code: str,
) -> types.Hover:
    markdown = server.capabilities.hover_markdown
    text = _describe(code.upper())
    if not markdown:
        text = text.replace("**", "").replace("`", "")
    offset, _ = document.text.line_bounds(index)
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value=text,
        ),
        range=document.text.range_at(offset + start, offset + end, server.encoding),
    )


def _describe(code: str) -> str:
    """Hover text for a code (or prefix) in a ``# noqa`` comment."""
    rule = rule_by_code(code)
    if rule is not None:
        flags = [rule.SEVERITY.value, f"fix: {rule.FIX}" if rule.FIX else "no fix"]
        if rule.PREVIEW:
            flags.append("preview")
        return (
            f"**{rule.CODE}** `{rule.NAME}` ({', '.join(flags)})\n\n{rule.summary()}\n\n"
            f"[Documentation]({rule.url()})"
        )
    if code in META_CODES:
        return (
            f"**{code}** says a file could not be (fully) checked; it is not a rule and "
            f"`# noqa` does not silence it.\n\n[Documentation]({META_URL})"
        )
    covered = [r for r in all_rules() if r.CODE.startswith(code)]
    if covered and code.startswith("MPL"):
        names = ", ".join(f"{r.CODE} `{r.NAME}`" for r in covered)
        return f"**{code}** (a prefix) covers {names}"
    return f"**{code}** is not an mplint rule code (see `mplint rules`)"
