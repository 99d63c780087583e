"""The open documents, as the client last sent them, and the diagnostics of a document's text."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from lsprotocol import types
from pygls.uris import to_fs_path

from mplint.config import Config
from mplint.diagnostics import Diagnostic
from mplint.server.text import Text

_PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")


@dataclass(frozen=True)
class Document:
    """One version of an open document (a new one for every change)."""

    uri: str
    version: Optional[int]
    text: Text
    language_id: str
    path: str  # what the engine is told (per-file-ignores, ``__main__.py``)
    directory: Optional[str]  # where the configuration search starts

    @classmethod
    def opened(cls, item: types.TextDocumentItem, root: Optional[str]) -> Document:
        """The document of ``textDocument/didOpen``; an untitled buffer is configured from ``root``."""
        path = to_fs_path(item.uri)
        if path is not None:
            directory: Optional[str] = os.path.dirname(os.path.abspath(path))
            engine_path = path
        else:  # untitled: buffers have no path; use the workspace's configuration
            directory = root
            engine_path = item.uri.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or "untitled.py"
        return cls(
            item.uri, item.version, Text(item.text), item.language_id, engine_path, directory
        )

    def changed(self, params: types.DidChangeTextDocumentParams, encoding: str) -> Document:
        """The next version, after the changes of ``textDocument/didChange``."""
        text = self.text
        for change in params.content_changes:
            text = text.apply(change, encoding)
        return Document(
            self.uri,
            params.text_document.version,
            text,
            self.language_id,
            self.path,
            self.directory,
        )

    @property
    def is_python(self) -> bool:
        return self.language_id == "python" or self.path.endswith(_PYTHON_SUFFIXES)


@dataclass(frozen=True)
class Result:
    """The diagnostics of one text under one configuration."""

    source: str
    config: Config
    diagnostics: tuple[Diagnostic, ...]
