"""One settings resolver behind every front door: the same settings, given through the command line,
through flake8's options or as an editor's settings, select the same rules and judge the code the same.

The layering is ruff's: a later layer's ``select`` replaces the selection below it (its ``select``,
``extend-select`` and ``ignore``); ``extend-select`` and ``ignore`` add to it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional

import pytest

from mplint.cli import _build_parser, _settings, main
from mplint.codes import RULES
from mplint.config import ConfigError, Overrides, Resolver
from mplint.engine import rules_for
from mplint.flake8_plugin import MplintChecker
from mplint.server.settings import Configuration, settings_table
from mplint.settings import Config

PREVIEW = sorted(rule.code for rule in RULES if rule.preview)
STABLE = sorted(rule.code for rule in RULES if not rule.preview)


def _project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.mplint]\n{table}\n", encoding="utf-8")
    return tmp_path / "pkg" / "job.py"


def _codes(config: Config, path: Path) -> list[str]:
    return [rule.CODE for rule in rules_for(str(path), config)]


def _cli(path: Path, *flags: str) -> Config:
    args = _build_parser().parse_args(["check", *flags, str(path)])
    return Resolver(_settings(args)).config_for(str(path))


class _Client:
    """What the language server's configuration needs of the server: somewhere to show messages."""

    def __init__(self) -> None:
        self.capabilities = SimpleNamespace(configuration=False)
        self.shown: list[str] = []

    def show(self, message: str, kind: object) -> None:
        self.shown.append(message)

    log_to_client = show

    def text_document_publish_diagnostics(self, params: object) -> None:
        self.shown.append(str(params))


def _editor(path: Path, settings: dict[str, Any]) -> Config:
    """The settings the language server lints ``path`` with, given the editor's ``settings``."""
    client = _Client()
    configuration = Configuration(client)  # type: ignore[arg-type]
    configuration.update(workspace=settings_table(settings))
    config = configuration.config_for(SimpleNamespace(directory=str(path.parent)))  # type: ignore[arg-type]
    assert not client.shown, client.shown
    assert config == Resolver(Overrides.from_table(settings)).config_for(str(path))
    return config


def _flake8(
    path: Path, start_method: Optional[str] = None, preview: Optional[bool] = None
) -> Config:
    options = argparse.Namespace(
        mplint_start_method=start_method, mplint_preview=preview, disable_noqa=False
    )
    MplintChecker.parse_options(None, options, [])
    try:
        config = MplintChecker(None, [], str(path))._config()
    finally:
        MplintChecker.parse_options(None, argparse.Namespace(), [])
    assert isinstance(config, Config), config
    return config


@pytest.mark.parametrize(
    ("table", "flags", "editor", "expected"),
    [
        # review 5.3: the editor's select used to keep the file's ignore and enable nothing
        ('ignore = ["MPL101"]', ["--select", "MPL101"], {"select": ["MPL101"]}, ["MPL101"]),
        ('select = ["MPL101"]', ["--extend-select", "MPL102"], {"extend-select": ["MPL102"]}, None),
        ('select = ["MPL1"]', ["--ignore", "MPL1"], {"ignore": ["MPL1"]}, []),
        (
            'select = ["MPL1"]\nignore = ["MPL101"]',
            ["--select", "MPL10"],
            {"select": ["MPL10"]},
            None,
        ),
        ('select = ["MPL2"]', [], {}, None),
        ('select = ["MPL101"]', ["--select", "bad-process-target", "--ignore", "MPL1"], None, None),
    ],
)
def test_cli_and_editor_select_the_same_rules(
    tmp_path: Path,
    table: str,
    flags: list[str],
    editor: Optional[dict[str, Any]],
    expected: Optional[list[str]],
) -> None:
    path = _project(tmp_path, table)
    cli = _codes(_cli(path, *flags), path)
    if editor is None:  # the same flags as an editor's settings
        editor = {"select": ["bad-process-target"], "ignore": ["MPL1"]}
    assert _codes(_editor(path, editor), path) == cli
    if expected is not None:
        assert cli == expected


def test_layering_examples(tmp_path: Path) -> None:
    path = _project(tmp_path, 'select = ["MPL1"]\nextend-select = ["MPL2"]\nignore = ["MPL101"]')
    assert _codes(_cli(path), path) == [c for c in STABLE if c[3] in "12" and c != "MPL101"]
    # a select replaces all three of the file's keys
    assert _codes(_cli(path, "--select", "MPL3"), path) == [c for c in STABLE if c[3] == "3"]
    # extend-select and ignore add to the file's
    extended = _cli(path, "--extend-select", "MPL3", "--ignore", "MPL102")
    assert extended.extend_select == ("MPL2", "MPL3")
    assert extended.ignore == ("MPL101", "MPL102")
    assert _editor(path, {"extend-select": ["MPL3"], "ignore": ["MPL102"]}) == extended


def test_preview_and_start_method_through_every_front_door(tmp_path: Path) -> None:
    path = _project(tmp_path, 'preview = false\nstart-method = "spawn"\nignore = ["MPL1"]')
    cli = _cli(path, "--preview", "--start-method", "fork")
    editor = _editor(path, {"preview": True, "start-method": "fork"})
    flake8 = _flake8(path, start_method="fork", preview=True)
    assert cli.preview and editor.preview and flake8.preview
    assert cli.start_method == editor.start_method == flake8.start_method == "fork"
    assert _codes(cli, path) == _codes(editor, path)
    assert set(PREVIEW) <= set(_codes(cli, path))
    # under flake8 the file's selection applies too (flake8's own selection filters on top)
    assert _codes(flake8, path) == _codes(cli, path)
    assert not any(code.startswith("MPL1") for code in _codes(flake8, path))
    plain = _flake8(path)
    assert not plain.preview and plain.start_method == "spawn"
    assert _codes(plain, path) == [code for code in STABLE if not code.startswith("MPL1")]


def test_the_flake8_layer_keeps_per_file_ignores(tmp_path: Path) -> None:
    path = _project(tmp_path, '[tool.mplint.per-file-ignores]\n"job.py" = ["MPL1"]')
    assert "MPL101" not in _codes(_cli(path), path)
    assert _codes(_flake8(path), path) == _codes(_cli(path), path)


def test_an_editor_setting_is_validated_naming_the_key() -> None:
    with pytest.raises(ConfigError, match="editor settings: 'select' names unknown rule code"):
        Overrides.from_table({"select": ["MPL999"]})
    with pytest.raises(ConfigError, match="unknown key 'selec'"):
        Overrides.from_table({"selec": ["MPL1"]})
    layer = Overrides.from_table({"fixable": ["MPL101"], "target-version": "py39"})
    assert dict(layer.replaced) == {"fixable": ("MPL101",), "target_version": "py39"}
    applied = layer.apply(Config(fixable=("MPL",)))
    assert applied.fixable == ("MPL101",) and applied.target_version == "py39"


def test_the_resolver_caches_and_clears(tmp_path: Path) -> None:
    path = _project(tmp_path, 'select = ["MPL1"]')
    resolver = Resolver()
    first = resolver.config_for(str(path))
    assert resolver.config_for(str(tmp_path / "pkg" / "other.py")) is first
    (tmp_path / "pyproject.toml").write_text('[tool.mplint]\nselect = ["MPL2"]\n')
    assert resolver.config_for(str(path)) is first
    resolver.clear()
    assert resolver.config_for(str(path)).select == ("MPL2",)
    (tmp_path / "pyproject.toml").write_text("[tool.mplint]\nselect = 1\n")
    resolver.clear()
    for _ in range(2):  # the broken file's error is kept, and raised again
        with pytest.raises(ConfigError, match="must be a list of strings"):
            resolver.config_for(str(path))
    fixed = tmp_path / "other.toml"
    fixed.write_text('select = ["MPL3"]\n')
    assert Resolver(config_file=fixed).config_for(str(path)).select == ("MPL3",)


def test_the_cli_reports_what_the_resolver_selects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mplint.registry import rule_by_code

    rule = rule_by_code("MPL101")
    assert rule is not None
    path = _project(tmp_path, 'ignore = ["MPL101"]')
    path.parent.mkdir()
    path.write_text(rule.INVALID[0].code, encoding="utf-8")
    flags = ["check", "--no-cache", "--output-format", "json", str(path)]
    assert main(flags) == 0
    capsys.readouterr()
    assert main([*flags, "--select", "MPL101"]) == 1
    assert {d["code"] for d in json.loads(capsys.readouterr().out)} == {"MPL101"}
