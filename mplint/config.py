"""``[tool.mplint]`` in pyproject.toml: found upward from each file, validated with messages naming the key."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional, Union

from mplint.codes import unknown_selectors
from mplint.settings import DEFAULT_EXCLUDE, START_METHODS, Config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "DEFAULT_EXCLUDE",
    "START_METHODS",
    "Config",
    "ConfigError",
    "Overrides",
    "Resolver",
    "apply_settings",
    "find_config_file",
    "load_config",
]

_LIST_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "extend-exclude",
    "fixable",
    "unfixable",
)
_KNOWN_KEYS = frozenset(
    (*_LIST_KEYS, "per-file-ignores", "preview", "start-method", "target-version", "force-exclude")
)
_TARGET_VERSIONS = tuple(f"py3{minor}" for minor in range(9, 16))


class ConfigError(Exception):
    """A configuration mistake; the message names the file and the key."""


def find_config_file(start: str) -> Optional[Path]:
    """The nearest pyproject.toml with a ``[tool.mplint]`` table, from ``start`` upward."""
    current = Path(start).resolve()
    if not current.is_dir():
        current = current.parent
    for directory in (current, *current.parents):
        candidate = directory / "pyproject.toml"
        try:
            status = candidate.stat()
        except OSError:
            continue
        if _holds_table(str(candidate), status.st_mtime_ns, status.st_size):
            return candidate
    return None


@functools.lru_cache(maxsize=256)
def _holds_table(path: str, mtime_ns: int, size: int) -> bool:
    """Whether this pyproject.toml (as of this modification time and size) has a ``[tool.mplint]``
    table; a broken one that may hold it counts (``load_config`` reports the error). Remembered, as
    every directory below a project asks about the same file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError:
        return False
    if b"mplint" not in raw:
        return False  # no [tool.mplint] table can be spelled without the word
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return _mentions_table(Path(path))
    return isinstance(data.get("tool"), dict) and "mplint" in data["tool"]


def _mentions_table(path: Path) -> bool:
    try:
        return b"tool.mplint" in path.read_bytes()
    except OSError:
        return False


def load_config(path: Optional[Path], base: Optional[Config] = None) -> Config:
    """Read ``[tool.mplint]`` from ``path`` (a pyproject.toml, or a mplint.toml without the table)."""
    config = base or Config()
    if path is None:
        return config
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8: {error}") from error
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("mplint", {}) if isinstance(tool, dict) else {}
        prefix = "tool.mplint."
    else:
        table = data
        prefix = ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.mplint] must be a table")
    return apply_settings(config, table, f"{path}", prefix, root=str(path.parent))


def apply_settings(
    config: Config,
    table: dict[str, Any],
    where: str,
    prefix: str = "",
    root: Optional[str] = None,
) -> Config:
    """Validate a settings table and return ``config`` updated with it."""
    changes = _parse_table(table, where, prefix)
    if root is not None:
        changes["root"] = root
        changes["source"] = where
    return replace(config, **changes)


def _parse_table(table: Mapping[str, Any], where: str, prefix: str = "") -> dict[str, Any]:
    """The validated settings of a table, by ``Config`` field name (ConfigError names a bad key)."""
    changes: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if key not in _KNOWN_KEYS:
            hint = _closest(key)
            suggestion = f" (did you mean '{hint}'?)" if hint else ""
            raise ConfigError(f"{where}: unknown key '{name}'{suggestion}")
        if key in _LIST_KEYS:
            changes[key.replace("-", "_")] = _string_list(value, where, name)
        elif key in ("preview", "force-exclude"):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: '{name}' must be true or false, not {value!r}")
            changes[key.replace("-", "_")] = value
        elif key == "start-method":
            if value not in START_METHODS:
                raise ConfigError(
                    f"{where}: '{name}' must be one of {', '.join(START_METHODS)}, not {value!r}"
                )
            changes["start_method"] = value
        elif key == "target-version":
            if value not in _TARGET_VERSIONS:
                raise ConfigError(
                    f"{where}: '{name}' must be one of {', '.join(_TARGET_VERSIONS)}, not {value!r}"
                )
            changes["target_version"] = value
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: '{name}' must be a table of pattern = [codes]")
            changes["per_file_ignores"] = tuple(
                (str(pattern), _string_list(codes, where, f"{name}.{pattern}"))
                for pattern, codes in value.items()
            )
    for key in ("select", "ignore", "extend_select", "fixable", "unfixable"):
        if key in changes:
            _check_codes(changes[key], where, prefix + key.replace("_", "-"))
    for _, codes in changes.get("per_file_ignores", ()):
        _check_codes(codes, where, prefix + "per-file-ignores")
    return changes


def _string_list(value: Any, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{name}' must be a list of strings, not {value!r}")
    return tuple(value)


def _check_codes(codes: tuple[str, ...], where: str, name: str) -> None:
    if not codes:
        return
    unknown = unknown_selectors(codes)
    if unknown:
        raise ConfigError(
            f"{where}: '{name}' names unknown rule code(s): {', '.join(unknown)} "
            "(see `mplint rules`)"
        )


def _closest(key: str) -> Optional[str]:
    import difflib

    matches = difflib.get_close_matches(key, sorted(_KNOWN_KEYS), n=1)
    return matches[0] if matches else None


@dataclass(frozen=True)
class Overrides:
    """One layer of settings on top of the ``[tool.mplint]`` found for a file: the command line's, an
    editor's, flake8's.

    The layering is ruff's: a ``select`` replaces the selection of the layer below (its ``select``,
    ``extend-select`` and ``ignore``); ``extend_select`` and ``ignore`` add to what is left; ``preview``,
    ``start_method`` and the ``replaced`` settings (by ``Config`` field name) replace the file's.
    """

    select: Optional[tuple[str, ...]] = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    preview: Optional[bool] = None
    start_method: Optional[str] = None
    replaced: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "editor settings") -> Overrides:
        """The layer an editor's settings make (keys spelt as in ``[tool.mplint]``); ConfigError names
        a bad key."""
        changes = _parse_table(table, where)
        return cls(
            select=changes.pop("select", None),
            extend_select=changes.pop("extend_select", ()),
            ignore=changes.pop("ignore", ()),
            preview=changes.pop("preview", None),
            start_method=changes.pop("start_method", None),
            replaced=tuple(sorted(changes.items())),
        )

    def apply(self, config: Config) -> Config:
        """``config`` (the file's) with this layer on top."""
        changes: dict[str, Any] = dict(self.replaced)
        select, extend_select, ignore = config.select, config.extend_select, config.ignore
        if self.select is not None:
            select, extend_select, ignore = self.select, (), ()
        if self.select is not None or self.extend_select:
            changes["select"] = select
            changes["extend_select"] = (*extend_select, *self.extend_select)
        if self.select is not None or self.ignore:
            changes["ignore"] = (*ignore, *self.ignore)
        if self.preview is not None:
            changes["preview"] = self.preview
        if self.start_method is not None:
            changes["start_method"] = self.start_method
        return replace(config, **changes) if changes else config


class Resolver:
    """The settings for each file: the nearest ``[tool.mplint]`` above it (or one ``config_file`` for
    every file) under one layer of :class:`Overrides`. Every front door resolves settings through it.

    The file found for each directory and the settings read from each file are kept until ``clear``; a
    broken file's ConfigError is kept too and raised again for every file under it.
    """

    def __init__(
        self, overrides: Optional[Overrides] = None, config_file: Optional[Path] = None
    ) -> None:
        self.overrides = overrides or Overrides()
        self.config_file = config_file
        self._by_dir: dict[str, Optional[Path]] = {}
        self._by_file: dict[Optional[Path], Union[Config, ConfigError]] = {}

    def file_for(self, path: str) -> Optional[Path]:
        """The configuration file that applies to ``path`` (a file or a directory), if any."""
        if self.config_file is not None:
            return self.config_file
        directory = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
        directory = os.path.abspath(directory)
        if directory not in self._by_dir:
            self._by_dir[directory] = find_config_file(directory)
        return self._by_dir[directory]

    def config_for(self, path: str) -> Config:
        """The settings for ``path``; ConfigError when the file that applies is broken."""
        source = self.file_for(path)
        found = self._by_file.get(source)
        if found is None:
            try:
                found = self.overrides.apply(load_config(source))
            except ConfigError as error:
                found = error
            self._by_file[source] = found
        if isinstance(found, ConfigError):
            raise found
        return found

    __call__ = config_for

    def clear(self) -> None:
        """Forget the files found and read (a ``pyproject.toml`` was created, changed or removed)."""
        self._by_dir.clear()
        self._by_file.clear()
