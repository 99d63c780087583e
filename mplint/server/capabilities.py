"""What the client can do, read once at ``initialize``, and what the server asks it for in return."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lsprotocol import types

from mplint.server.settings import SECTION
from mplint.server.text import ENCODINGS


def kind_name(kind: object) -> str:
    """An LSP kind's value, whether it arrived as an enum member or as a plain string."""
    return str(kind.value) if isinstance(kind, enum.Enum) else str(kind)


def negotiated_encoding(value: object) -> str:
    """The position encoding agreed at ``initialize`` (UTF-16 unless the server can count in another)."""
    name = kind_name(value).lower() if value is not None else "utf-16"
    return name if name in ENCODINGS else "utf-16"


@dataclass(frozen=True)
class ClientCapabilities:
    """The client capabilities the server acts on. The defaults are a client that declared nothing."""

    #: ``workspace/configuration``: the server pulls its settings.
    configuration: bool = False
    #: Workspace edits may carry the document's version (``documentChanges``).
    document_changes: bool = False
    #: ``codeAction/resolve`` may fill in an action's ``edit`` (so fix-all is computed only on demand).
    resolve_edit: bool = False
    #: Hover contents may be Markdown.
    hover_markdown: bool = True
    #: ``workspace/didChangeWatchedFiles`` may be registered dynamically.
    register_watched_files: bool = False
    #: ``workspace/didChangeConfiguration`` may be registered dynamically.
    register_configuration: bool = False
    #: Published diagnostics may carry ``relatedInformation`` (the other places of the same cause).
    related_information: bool = False

    @classmethod
    def from_params(cls, capabilities: types.ClientCapabilities) -> ClientCapabilities:
        workspace = capabilities.workspace
        document = capabilities.text_document
        edit = workspace.workspace_edit if workspace else None
        action = document.code_action if document else None
        support = action.resolve_support if action else None
        hover = document.hover if document else None
        formats = hover.content_format if hover else None
        watched = workspace.did_change_watched_files if workspace else None
        configuration = workspace.did_change_configuration if workspace else None
        publish = document.publish_diagnostics if document else None
        return cls(
            configuration=bool(workspace and workspace.configuration),
            document_changes=bool(edit and edit.document_changes),
            # The resolve request finds the document through the action's ``data``.
            resolve_edit=bool(
                support and "edit" in support.properties and action and action.data_support
            ),
            hover_markdown=formats is None or types.MarkupKind.Markdown in formats,
            register_watched_files=bool(watched and watched.dynamic_registration),
            register_configuration=bool(configuration and configuration.dynamic_registration),
            related_information=bool(publish and publish.related_information),
        )

    def registrations(self) -> list[types.Registration]:
        """What to register dynamically: a ``pyproject.toml`` watcher and the settings section."""
        wanted: list[tuple[bool, str, str, object]] = [
            (
                self.register_watched_files,
                "mplint-pyproject-watcher",
                types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern="**/pyproject.toml")]
                ),
            ),
            (
                self.register_configuration,
                "mplint-configuration",
                types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                types.DidChangeConfigurationRegistrationOptions(section=SECTION),
            ),
        ]
        return [
            types.Registration(id=name, method=method, register_options=options)
            for able, name, method, options in wanted
            if able
        ]
