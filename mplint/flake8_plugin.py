"""The flake8 front door: ``flake8 --select MPL`` runs the same engine as ``mplint check``.

flake8 finds :class:`MplintChecker` through the ``flake8.extension`` entry point ``MPL``. For each file
it hands over the tree (unused: flake8 needs the parameter to treat us as a tree plugin), the lines and
the file name; the plugin joins the lines and calls :func:`mplint.engine.lint_source`, so flake8 reports
exactly what ``mplint check`` reports, at the same line and column.

What flake8 decides, and what ``[tool.mplint]`` decides
------------------------------------------------------

* **``[tool.mplint]`` decides first, as for ``mplint check``.** The settings of the nearest
  configuration file above each file (``.mplint.toml``, ``mplint.toml`` or a ``pyproject.toml`` with
  ``[tool.mplint]``; looked up once per directory) apply: ``select``, ``extend-select``, ``ignore``,
  ``extend-ignore`` and ``per-file-ignores`` choose the rules that run, and a file that ``exclude`` or
  ``extend-exclude`` excludes is not checked (whether flake8 found it or was given it, as with
  ``--force-exclude``). So the plugin never reports what ``mplint check`` would not.
* **flake8's selection and noqa come on top**: its ``select``, ``extend-select``, ``ignore``,
  ``extend-ignore`` and ``per-file-ignores`` can only hide more of what the plugin reports.
* **How the code is judged** comes from the same settings: ``start-method``, ``preview``,
  ``target-version`` (or ``[project] requires-python``), and
  ``fixable``/``unfixable`` (which decide whether a message says a fix is available). flake8's own
  options override the file: ``--mplint-start-method`` (``portable``, ``fork``, ``spawn`` or
  ``forkserver``) and ``--mplint-preview``, both also readable from flake8's configuration
  (``mplint-start-method = fork``, ``mplint-preview = true``; ``mplint-preview = false`` turns preview
  off even when ``[tool.mplint]`` turns it on). A preview rule is reported only with preview on, even if
  flake8 selects its code (ruff's rule).
* **``# noqa`` is flake8's job**: the plugin never drops a diagnostic for a ``# noqa`` comment, so
  ``# noqa: MPL101``, ``# noqa: MPL1`` and a bare ``# noqa`` behave exactly like they do for every other
  flake8 code, and flake8's ``--disable-noqa`` works. The one exception is mplint's own file-level
  ``# mplint: noqa`` (or ``# mplint: noqa: MPL201``), which flake8 does not know: it is honoured here as
  in ``mplint check``, unless ``--disable-noqa`` is given.
* **One cause, one diagnostic** (``mplint.dedup``): where a rule supersedes another on the same node, the
  superseded one is reported only when flake8 will not show the superseding one: when flake8's
  selection (``select``, ``ignore``, ``extend-ignore``, ``per-file-ignores``) hides its code or a
  ``# noqa`` on its line suppresses it (unless ``--disable-noqa``). flake8's messages are one line, so
  the related locations themselves are not shown.

Files mplint could not check
----------------------------

flake8 runs tree plugins only on files that Python's own parser accepts (for the others it reports
``E999`` itself), so an ``MPL001`` from the plugin never repeats an ``E999``: it means libcst could not
parse code that CPython accepts (or the code is too deeply nested to analyse), and it is reported so that
an unchecked file is never silent. ``MPL003`` (an internal error in one rule; the other rules still ran)
is reported as well, and so is an unexpected error of the engine itself (it never stops flake8's
other checks). An invalid ``[tool.mplint]`` table is reported once per file as ``MPL002`` naming the
file and the key, instead of stopping flake8's other checks. Each of them can be ignored like any code.

Cost
----

flake8 imports every installed plugin on every run, so this module imports nothing heavy. When flake8's
own selection reports no MPL rule (``--select E,F,W``; flake8's decision engine decides, from
``--select``, ``--extend-select``, ``--ignore`` and ``--extend-ignore``), the plugin does nothing at all.
Otherwise only the rules flake8 would report run, and a file whose text names none of the modules mplint
models (the engine's prefilter: most files) and imports nothing but the standard library and those
modules is dismissed before anything else happens: no configuration lookup, no libcst import, no parse.
The engine's rule-level gates then decide whether libcst parses the file at all.

Other modules of the project
----------------------------

Each file is linted with the project of its root (:func:`mplint.project.project_for`, as ``mplint check``
does), so a pool in ``main.py`` given a task of ``tasks.py`` is judged from ``tasks.py``'s summary and
flake8 reports what ``mplint check`` reports for the file, whichever files flake8 was given. A file that
names no library of processes is still checked when a module of its project it imports starts processes
(the engine's prefilter with a project). The summaries of the imported modules are read from (and
written to) the cache ``mplint check`` keeps in the project, when there is one, and computed on demand
otherwise; each flake8 process computes one at most once per content of its module.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Optional, Union

from mplint import __version__
from mplint.api_table import could_have_findings
from mplint.codes import RULES
from mplint.settings import START_METHODS

if TYPE_CHECKING:
    from mplint.config import Resolver
    from mplint.diagnostics import Diagnostic
    from mplint.settings import Config

__all__ = ["MplintChecker"]

_IO_ERROR = "MPL002"
_INTERNAL_ERROR = "MPL003"

Result = tuple[int, int, str, type["MplintChecker"]]


class MplintChecker:
    """flake8 tree plugin: reports mplint's diagnostics as flake8 errors ``MPLnnn``."""

    name = "mplint"
    version = __version__

    # Set by parse_options (flake8 calls it once per process, also in each -j worker).
    _start_method: ClassVar[Optional[str]] = None
    _preview: ClassVar[Optional[bool]] = None
    _disable_noqa: ClassVar[bool] = False
    # What flake8's selection reports for a (file, code), from its options (None: report everything).
    _decider: ClassVar[Optional[Callable[[str, str], bool]]] = None
    # The rule codes flake8's selection reports (None: unknown, every rule runs and flake8 filters).
    _codes: ClassVar[Optional[frozenset[str]]] = None
    # The settings of each file, for the process (made by parse_options; created on first use).
    _resolver: ClassVar[Optional[Resolver]] = None

    def __init__(self, tree: object, lines: Sequence[str], filename: str) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        """Register ``--mplint-start-method`` and ``--mplint-preview`` (also read from flake8 config)."""
        option_manager.add_option(
            "--mplint-start-method",
            choices=START_METHODS,
            default=None,
            metavar="METHOD",
            parse_from_config=True,
            help=(
                "mplint: the start method assumed where the code does not choose one: "
                f"{', '.join(START_METHODS)} (default: [tool.mplint] start-method, else portable)"
            ),
        )
        option_manager.add_option(
            "--mplint-preview",
            action="store_true",
            default=None,
            parse_from_config=True,
            help="mplint: also run the preview rules (default: [tool.mplint] preview, else off)",
        )

    @classmethod
    def parse_options(
        cls, option_manager: Any, options: argparse.Namespace, args: Sequence[str]
    ) -> None:
        """Take the options flake8 parsed; a bad value from a config file is a usage error."""
        start_method = getattr(options, "mplint_start_method", None)
        if isinstance(start_method, str):
            start_method = start_method.strip()
            if start_method not in START_METHODS:
                # The command line is checked by argparse's choices; a config file value is not.
                option_manager.parser.error(
                    f"mplint-start-method: invalid choice: {start_method!r} "
                    f"(choose from {', '.join(START_METHODS)})"
                )
        preview = getattr(options, "mplint_preview", None)
        cls._start_method = start_method or None
        cls._preview = None if preview is None else bool(preview)
        cls._disable_noqa = bool(getattr(options, "disable_noqa", False))
        cls._codes = selected_codes(options)
        cls._resolver = None
        cls._decider = _flake8_selection(options)

    def run(self) -> Iterator[Result]:
        codes = type(self)._codes
        if codes is not None and not codes:
            return  # flake8 reports no MPL rule: nothing to do
        text = "".join(self.lines)
        possible = could_have_findings(text)
        if not possible and not _may_import_tree(text):
            return  # before any other work: most files end here
        config = self._config()
        if isinstance(config, str):
            yield 1, 0, f"{_IO_ERROR} not checked: {config}", type(self)
            return
        if config.is_excluded(self.filename):
            return  # excluded by [tool.mplint] exclude / extend-exclude
        from mplint.engine import lint_source, rules_for
        from mplint.project import project_for, shared_cache_dir

        filename = self.filename
        project = project_for(filename, shared_cache_dir(filename), config.default_start_method)
        project.forget(filename)
        if not possible and not project.may_have_findings(filename, text):
            return  # its imports of the project start no process and bring no object either
        rules = None
        if codes is not None and len(codes) < len(RULES):
            rules = [rule for rule in rules_for(self.filename, config) if rule.CODE in codes]
        try:
            diagnostics = lint_source(
                filename,
                text,
                config,
                rules=rules,
                apply_noqa=False,
                supersede=False,
                project=project,
            )
        except Exception as error:  # a bug of ours must not stop flake8's other checks
            message = f"internal error on this file: {type(error).__name__}: {error}"
            yield 1, 0, f"{_INTERNAL_ERROR} {message} (please report it)", type(self)
            return
        if diagnostics and not self._disable_noqa:
            diagnostics = _drop_file_level_noqa(text, diagnostics)
        if diagnostics:
            diagnostics = self._merge_superseded(text, config, diagnostics)
        for diagnostic in diagnostics:
            yield (
                diagnostic.line,
                max(diagnostic.column - 1, 0),
                f"{diagnostic.code} {_message(diagnostic)}",
                type(self),
            )

    def _merge_superseded(
        self, text: str, config: Config, diagnostics: list[Diagnostic]
    ) -> list[Diagnostic]:
        """Drop what a diagnostic flake8 will show supersedes on the same node (``mplint.dedup``)."""
        from mplint.dedup import merge_superseded
        from mplint.engine import rules_for
        from mplint.suppression import parse_suppressions

        supersedes = {rule.CODE: rule.SUPERSEDES for rule in rules_for(self.filename, config)}
        suppressions = None if self._disable_noqa else parse_suppressions(text)
        decider = type(self)._decider
        filename = self.filename

        def shown(diagnostic: Diagnostic) -> bool:
            if suppressions is not None and suppressions.suppresses(diagnostic):
                return False
            return decider is None or decider(filename, diagnostic.code)

        return merge_superseded(diagnostics, supersedes, shown)

    def _config(self) -> Union[Config, str]:
        """The settings for this file: [tool.mplint] (cached per directory) under flake8's options,
        or why they cannot be read."""
        from mplint.config import ConfigError

        cls = type(self)
        if cls._resolver is None:
            cls._resolver = resolver(cls._start_method, cls._preview)
        try:
            return cls._resolver.config_for(self.filename)
        except ConfigError as error:
            return str(error)


def _may_import_tree(text: str) -> bool:
    """Whether ``text`` may import a module of its project (the project's code loads only then)."""
    if "import" not in text:
        return False
    from mplint.project.index import may_import_tree

    return may_import_tree(text)


def selected_codes(options: argparse.Namespace) -> Optional[frozenset[str]]:
    """The rule codes flake8 would report, as its own decision engine (``flake8.style_guide``) decides
    from ``--select``, ``--extend-select``, ``--ignore``, ``--extend-ignore`` and the plugins' default
    selection; None when this flake8 cannot say (then every rule runs and flake8 filters). flake8's
    per-file-ignores can only hide more: they are left to flake8."""
    try:
        style_guide: Any = importlib.import_module("flake8.style_guide")
        engine = style_guide.DecisionEngine(options)
        selected = style_guide.Decision.Selected
        return frozenset(code for code, _, _ in RULES if engine.decision_for(code) is selected)
    except Exception:  # another flake8: fall back to running every rule
        return None


def resolver(start_method: Optional[str] = None, preview: Optional[bool] = None) -> Resolver:
    """The settings flake8's options make: the file's settings (its selection, per-file-ignores and
    excludes too, as ``mplint check`` applies them) under ``--mplint-start-method`` and
    ``--mplint-preview``; flake8's own selection then filters what is reported."""
    from mplint.config import Overrides, Resolver

    return Resolver(Overrides(preview=preview, start_method=start_method))


def _flake8_selection(options: argparse.Namespace) -> Optional[Callable[[str, str], bool]]:
    """Whether flake8 reports a code in a file, by its selection and per-file-ignores; None when
    flake8's style guide cannot be built from ``options`` (then every code counts as reported)."""
    try:
        from flake8.style_guide import (  # type: ignore[import-untyped]
            Decision,
            StyleGuideManager,
        )

        manager = StyleGuideManager(options, formatter=None)
    except Exception:  # another flake8, or options it did not parse (tests)
        return None

    def reported(filename: str, code: str) -> bool:
        try:
            guide = manager.style_guide_for(filename)
            return bool(guide.should_report_error(code) is Decision.Selected)
        except Exception:
            return True

    return reported


def _drop_file_level_noqa(text: str, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Honour ``# mplint: noqa`` (flake8 does not know it); line-level ``# noqa`` stays flake8's."""
    from mplint.suppression import parse_suppressions

    # flake8 itself reads its own file-level directive
    suppressions = parse_suppressions(text, file_tools=("mplint",))
    if not suppressions.file_all and not suppressions.file_codes:
        return diagnostics
    return [
        d
        for d in diagnostics
        if d.is_meta
        or not (
            suppressions.file_all
            or any(d.code.startswith(code) for code in suppressions.file_codes)
        )
    ]


def _message(diagnostic: Diagnostic) -> str:
    """The message on one line (flake8's formats are line-based), with a hint when a fix exists."""
    from mplint.diagnostics import Applicability

    message = diagnostic.message
    if "\n" in message or "\r" in message:
        message = " ".join(part.strip() for part in message.splitlines() if part.strip())
    fix = diagnostic.fix
    if fix is None:
        return message
    if fix.applicability is Applicability.SAFE:
        return f"{message} (fix available: mplint check --fix)"
    if fix.applicability is Applicability.UNSAFE:
        return f"{message} (unsafe fix: mplint check --fix --unsafe-fixes)"
    return message
