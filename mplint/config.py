"""``[tool.mplint]`` in pyproject.toml: found upward from each file, validated with messages naming the key."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["START_METHODS", "Config", "ConfigError", "find_config_file", "load_config"]

START_METHODS = ("portable", "fork", "spawn", "forkserver")
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

DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".mplint_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "__pycache__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)


class ConfigError(Exception):
    """A configuration mistake; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("MPL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    preview: bool = False
    fixable: tuple[str, ...] = ("MPL",)
    unfixable: tuple[str, ...] = ()
    start_method: str = "portable"
    target_version: Optional[str] = None
    force_exclude: bool = False
    #: The directory holding the pyproject.toml the settings came from (per-file-ignores are relative).
    root: Optional[str] = None
    source: Optional[str] = None
    extras: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def default_start_method(self) -> Optional[str]:
        """The start method assumed where the code does not choose one; None = portable."""
        return None if self.start_method == "portable" else self.start_method

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """Codes that per-file-ignores turns off for ``path``."""
        if not self.per_file_ignores:
            return ()
        relative = _relative(path, self.root)
        name = os.path.basename(path)
        out: list[str] = []
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(name, pattern):
                out.extend(codes)
        return tuple(out)

    def is_excluded(self, path: str) -> bool:
        """The path, relative to the project root, or one of its components matches an exclude pattern
        (``fnmatch`` rules, as ruff's ``exclude``)."""
        matcher = _matcher((*self.exclude, *self.extend_exclude))
        if matcher is None:
            return False
        relative = _relative(path, self.root)
        return any(matcher(part) for part in (relative, *Path(relative).parts))

    def cache_key(self) -> str:
        data = (
            self.select,
            self.ignore,
            self.extend_select,
            self.per_file_ignores,
            self.preview,
            self.start_method,
            self.target_version,
        )
        return repr(data)


@functools.lru_cache(maxsize=64)
def _matcher(patterns: tuple[str, ...]) -> Optional[Callable[[str], object]]:
    """One compiled expression for all the patterns: a match of any of them (as ``fnmatch.fnmatch``,
    which also folds case where the platform does)."""
    if not patterns:
        return None
    compiled = re.compile(
        "|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in patterns)
    )
    return lambda name: compiled.match(os.path.normcase(name))


def _relative(path: str, root: Optional[str]) -> str:
    absolute = os.path.abspath(path)
    base = os.path.abspath(root) if root else os.getcwd()
    prefix = base if base.endswith(os.sep) else base + os.sep
    if len(absolute) > len(prefix) and absolute.startswith(prefix):  # the common case: no relpath
        return absolute[len(prefix) :].replace(os.sep, "/")
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        return absolute.replace(os.sep, "/")
    if relative.startswith(".."):
        return absolute.replace(os.sep, "/")
    return relative.replace(os.sep, "/")


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
    if root is not None:
        changes["root"] = root
        changes["source"] = where
    return replace(config, **changes)


def _string_list(value: Any, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{name}' must be a list of strings, not {value!r}")
    return tuple(value)


def _check_codes(codes: tuple[str, ...], where: str, name: str) -> None:
    if not codes:
        return
    from mplint.registry import unknown_selectors

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
