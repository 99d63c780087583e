"""``[tool.mplint]`` in pyproject.toml: found upward from each file, validated with messages naming the key."""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

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
