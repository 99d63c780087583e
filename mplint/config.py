"""``[tool.mplint]`` in pyproject.toml: found upward from each file, validated with messages naming the key."""

from __future__ import annotations

import contextlib
import functools
import os
import re
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
    "find_project_root",
    "limit_value",
    "load_config",
    "lowest_target",
]

_LIST_KEYS = (
    "select",
    "ignore",
    "extend-ignore",
    "extend-select",
    "exclude",
    "extend-exclude",
    "fixable",
    "unfixable",
)
#: The per-file budget: a non-negative number each (0: no limit); integers but for the seconds.
_LIMIT_KEYS = ("max-file-bytes", "max-file-lines", "file-time-limit")
_KNOWN_KEYS = frozenset(
    (
        *_LIST_KEYS,
        *_LIMIT_KEYS,
        "per-file-ignores",
        "preview",
        "start-method",
        "target-version",
        "force-exclude",
    )
)
_OLDEST_MINOR = 9
_NEWEST_MINOR = 15
TARGET_VERSIONS = tuple(f"py3{minor}" for minor in range(_OLDEST_MINOR, _NEWEST_MINOR + 1))
_TARGET_VERSIONS = TARGET_VERSIONS


class ConfigError(Exception):
    """A configuration mistake; the message names the file and the key."""


#: The names of a configuration file, in the order they win within one directory (ruff's order for
#: ``.ruff.toml``, ``ruff.toml`` and ``pyproject.toml``): the first two apply whenever they exist, a
#: ``pyproject.toml`` only when it holds a ``[tool.mplint]`` table.
CONFIG_NAMES = (".mplint.toml", "mplint.toml", "pyproject.toml")


def find_config_file(start: str) -> Optional[Path]:
    """The nearest configuration file from ``start`` upward: ``.mplint.toml`` or ``mplint.toml``, or a
    pyproject.toml with a ``[tool.mplint]`` table (in this order within one directory)."""
    current = Path(start).resolve()
    if not current.is_dir():
        current = current.parent
    for directory in (current, *current.parents):
        found = config_file_in(directory)
        if found is not None:
            return found
    return None


def config_file_in(directory: Path) -> Optional[Path]:
    """The configuration file of ``directory`` itself, if it has one (see :func:`find_config_file`)."""
    for name in CONFIG_NAMES:
        candidate = directory / name
        try:
            status = candidate.stat()
        except OSError:
            continue
        if name != "pyproject.toml":
            return candidate
        if _holds_table(str(candidate), status.st_mtime_ns, status.st_size):
            return candidate
    return None


def find_project_root(start: str) -> Path:
    """The directory of the nearest configuration file or ``pyproject.toml`` (with or without a
    ``[tool.mplint]`` table) from ``start`` upward; ``start`` itself when there is none. The results
    cache lives there, as ruff's ``.ruff_cache`` does."""
    current = Path(start).resolve()
    if not current.is_dir():
        current = current.parent
    for directory in (current, *current.parents):
        if any((directory / name).is_file() for name in CONFIG_NAMES):
            return directory
    return current


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
    """Read the settings of ``path``: the ``[tool.mplint]`` table of a pyproject.toml (or of any file
    with a ``[tool]`` table, as ``--config`` may name one), or the whole of a ``mplint.toml``.

    Without ``target-version``, the target is the lowest Python that ``[project] requires-python``
    allows, read from the same pyproject.toml or, for a ``mplint.toml``, from a pyproject.toml next to
    it (ruff's rule).
    """
    config = base or Config()
    if path is None:
        return config
    data = _read_toml(path)
    if path.name == "pyproject.toml" or isinstance(data.get("tool"), dict):
        tool = data.get("tool", {})
        table = tool.get("mplint", {}) if isinstance(tool, dict) else {}
        prefix = "tool.mplint."
        project: Any = data
    else:
        table = data
        prefix = ""
        project = _sibling_pyproject(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.mplint] must be a table")
    config = apply_settings(config, table, f"{path}", prefix, root=str(path.parent))
    if config.target_version is None and "target-version" not in table:
        config = replace(config, target_version=requires_python_target(project))
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8: {error}") from error


def _sibling_pyproject(path: Path) -> Optional[dict[str, Any]]:
    """The pyproject.toml next to a ``mplint.toml``, if there is a readable one."""
    candidate = path.parent / "pyproject.toml"
    if not candidate.is_file():
        return None
    try:
        return _read_toml(candidate)
    except ConfigError:
        return None


_CLAUSE = re.compile(r"^\s*(~=|===|==|>=|<=|!=|>|<)\s*([0-9]+)(?:\.([0-9]+|\*))?")


def requires_python_target(pyproject: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The target version (``py39`` …) for the lowest Python that ``[project] requires-python`` allows,
    or None when there is none or it sets no lower bound. Versions below the oldest target mplint knows
    become that one; versions above the newest, the newest."""
    if not pyproject:
        return None
    project = pyproject.get("project")
    if not isinstance(project, dict):
        return None
    spec = project.get("requires-python")
    if not isinstance(spec, str):
        return None
    return lowest_target(spec)


def lowest_target(spec: str) -> Optional[str]:
    """``>=3.9`` → ``py39``; ``>=3.10,<4`` → ``py310``; ``~=3.11.2`` → ``py311``; ``<3.12`` → None."""
    lowest: Optional[tuple[int, int]] = None
    for clause in spec.split(","):
        match = _CLAUSE.match(clause)
        if match is None:
            continue
        operator, major_text, minor_text = match.groups()
        if operator in ("<", "<=", "!="):
            continue
        major = int(major_text)
        minor = int(minor_text) if minor_text and minor_text != "*" else 0
        bound = (major, minor)
        if lowest is None or bound > lowest:
            lowest = bound  # every clause must hold: the highest lower bound wins
    if lowest is None or lowest[0] != 3:
        return None if lowest is None or lowest[0] < 3 else _TARGET_VERSIONS[-1]
    minor = min(max(lowest[1], _OLDEST_MINOR), _NEWEST_MINOR)
    return f"py3{minor}"


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
        elif key in _LIMIT_KEYS:
            changes[key.replace("-", "_")] = limit_value(key, value, f"{where}: '{name}'")
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: '{name}' must be a table of pattern = [codes]")
            changes["per_file_ignores"] = tuple(
                (str(pattern), _string_list(codes, where, f"{name}.{pattern}"))
                for pattern, codes in value.items()
            )
    for key in ("select", "ignore", "extend_ignore", "extend_select", "fixable", "unfixable"):
        if key in changes:
            _check_codes(changes[key], where, prefix + key.replace("_", "-"))
    if "extend_ignore" in changes:  # ruff's older spelling: adds to ``ignore``
        changes["ignore"] = (*changes.get("ignore", ()), *changes.pop("extend_ignore"))
    for _, codes in changes.get("per_file_ignores", ()):
        _check_codes(codes, where, prefix + "per-file-ignores")
    return changes


def limit_value(key: str, value: Any, what: str) -> Union[int, float]:
    """A per-file limit checked: a non-negative integer (a number of seconds for ``file-time-limit``);
    ConfigError starting with ``what`` otherwise."""
    seconds = key == "file-time-limit"
    numeric = isinstance(value, (int, float)) if seconds else isinstance(value, int)
    if isinstance(value, bool) or not numeric or not 0 <= value < float("inf"):
        kind = "a number of seconds" if seconds else "a whole number"
        raise ConfigError(f"{what} must be {kind}, 0 or more (0: no limit), not {value!r}")
    return float(value) if seconds else int(value)


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
    ``start_method`` and the ``replaced`` settings (by ``Config`` field name) replace the file's;
    ``extend_exclude`` adds to the file's.
    """

    select: Optional[tuple[str, ...]] = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    preview: Optional[bool] = None
    start_method: Optional[str] = None
    replaced: tuple[tuple[str, Any], ...] = ()
    extend_exclude: tuple[str, ...] = ()

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
        if self.extend_exclude:
            changes["extend_exclude"] = (*config.extend_exclude, *self.extend_exclude)
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
        self._by_real: dict[str, Optional[Path]] = {}
        self._by_file: dict[tuple[Optional[Path], Optional[str]], Union[Config, ConfigError]] = {}
        self._fallback_by_dir: dict[str, Optional[str]] = {}

    def file_for(self, path: str, directory: Optional[str] = None) -> Optional[Path]:
        """The configuration file that applies to ``path`` (a file or a directory), if any."""
        if self.config_file is not None:
            return self.config_file
        directory = directory or self._directory(path)
        if directory not in self._by_dir:
            self._by_dir[directory] = self._nearest(Path(directory).resolve())
        return self._by_dir[directory]

    def _nearest(self, directory: Path) -> Optional[Path]:
        """``find_config_file`` for a resolved directory, remembering the answer of every directory on
        the way up (sibling directories share their parents' answers)."""
        key = str(directory)
        if key not in self._by_real:
            found = config_file_in(directory)
            if found is None and directory.parent != directory:
                found = self._nearest(directory.parent)
            self._by_real[key] = found
        return self._by_real[key]

    @staticmethod
    def _directory(path: str) -> str:
        if os.path.isdir(path):
            return os.path.abspath(path)
        return os.path.dirname(os.path.abspath(path))

    def _fallback_target(self, directory: str) -> Optional[str]:
        """Without a configuration file: the target that the nearest pyproject.toml's ``[project]
        requires-python`` implies (ruff does the same)."""
        if directory not in self._fallback_by_dir:
            found: Optional[str] = None
            for parent in (Path(directory), *Path(directory).parents):
                candidate = parent / "pyproject.toml"
                if candidate.is_file():
                    with contextlib.suppress(ConfigError):
                        found = requires_python_target(_read_toml(candidate))
                    break
            self._fallback_by_dir[directory] = found
        return self._fallback_by_dir[directory]

    def config_for(self, path: str) -> Config:
        """The settings for ``path``; ConfigError when the file that applies is broken."""
        directory = self._directory(path) if self.config_file is None else ""
        source = self.file_for(path, directory)
        fallback = self._fallback_target(directory) if source is None else None
        found = self._by_file.get((source, fallback))
        if found is None:
            try:
                loaded = load_config(source)
                if fallback is not None:
                    loaded = replace(loaded, target_version=fallback)
                found = self.overrides.apply(loaded)
            except ConfigError as error:
                found = error
            self._by_file[(source, fallback)] = found
        if isinstance(found, ConfigError):
            raise found
        return found

    __call__ = config_for

    def clear(self) -> None:
        """Forget the files found and read (a configuration file was created, changed or removed)."""
        self._by_dir.clear()
        self._by_real.clear()
        self._by_file.clear()
        self._fallback_by_dir.clear()
