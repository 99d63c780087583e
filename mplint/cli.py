"""The ``mplint`` command: ``check``, ``rule``, ``rules``, ``server``.

Exit codes: 0 nothing found, 1 diagnostics remain (or fixes were applied with --exit-non-zero-on-fix),
2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Callable, Optional, TextIO, Union

from mplint import __version__
from mplint.cache import DEFAULT_CACHE_DIR, Cache
from mplint.codes import unknown_selectors
from mplint.config import (
    START_METHODS,
    TARGET_VERSIONS,
    Config,
    ConfigError,
    Overrides,
    Resolver,
    find_project_root,
    limit_value,
)
from mplint.diagnostics import INTERNAL_ERROR, Diagnostic
from mplint.files import discover
from mplint.notebook import is_notebook_path
from mplint.output import FORMATS, OutputContext, get_renderer, get_statistics_renderer
from mplint.output.color import COLOR_CHOICES, use_color
from mplint.progress import DELAY, Progress, wanted
from mplint.runner import FileResult, Options, check_files, check_text, io_diagnostic
from mplint.source import SourceError, SourceFile, decode_source, read_source, write_source
from mplint.suppression import unknown_noqa_codes

__all__ = ["main"]

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_ERROR = 2


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mplint",
        description="Find misuse of Python multiprocessing before it crashes, hangs or loses data.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"mplint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser(
        "check", help="check files or directories (default: .)", allow_abbrev=False
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; - for stdin")
    _flag(check, "--fix", help="apply safe fixes")
    _flag(check, "--unsafe-fixes", help="also apply unsafe fixes")
    _flag(check, "--diff", help="print the fixes as a diff; write nothing")
    _flag(
        check,
        "--show-fixes",
        help="show each diagnostic's fix (and, with --fix, list what was fixed)",
    )
    _flag(
        check,
        "--add-noqa",
        help="add `# noqa: CODE` to every line with a diagnostic (writes the files)",
    )
    check.add_argument("--select", help="comma-separated codes, prefixes or names to enable")
    check.add_argument("--extend-select", help="codes to enable in addition to the selection")
    check.add_argument("--ignore", help="comma-separated codes, prefixes or names to disable")
    check.add_argument("--preview", action="store_true", default=None, help="enable preview rules")
    check.add_argument(
        "--start-method",
        choices=START_METHODS,
        help="start method assumed where the code does not choose one (default: portable)",
    )
    check.add_argument(
        "--output-format", default="concise", choices=sorted(FORMATS), help="output format"
    )
    check.add_argument("--output-file", help="write the report here instead of standard output")
    _flag(check, "--statistics", help="counts per rule instead of the diagnostics")
    check.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour the concise and full formats (auto: on a terminal, unless NO_COLOR is set)",
    )
    check.add_argument("--stdin-filename", help="the name of the file read from standard input")
    _one_of(
        check,
        ("--exit-zero", "exit 0 even when diagnostics remain"),
        ("--exit-non-zero-on-fix", "exit 1 when fixes were applied, even if nothing remains"),
    )
    _flag(check, "--no-cache", help="do not read or write the cache")
    check.add_argument(
        "--cache-dir",
        help=f"where to keep cached results (default: {DEFAULT_CACHE_DIR} in the project root)",
    )
    check.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        help="worker processes for large runs (default: the number of cores)",
    )
    check.add_argument(
        "--config",
        help="a mplint.toml, or a pyproject.toml with [tool.mplint], to use for every file",
    )
    check.add_argument(
        "--exclude", help="comma-separated patterns to exclude, replacing the configured ones"
    )
    check.add_argument(
        "--extend-exclude", help="comma-separated patterns to exclude besides the configured ones"
    )
    check.add_argument(
        "--per-file-ignores",
        action="append",
        metavar="PATTERN:CODES",
        help="codes to ignore in matching files (tests/*:MPL201,MPL3), replacing the configured ones",
    )
    check.add_argument(
        "--target-version",
        choices=TARGET_VERSIONS,
        help="the oldest Python the code must run on (default: [project] requires-python)",
    )
    for key, metavar, what in (
        ("max-file-bytes", "BYTES", "the largest file checked, in bytes"),
        ("max-file-lines", "LINES", "the longest file checked, in lines"),
        ("file-time-limit", "SECONDS", "the time one file's check may take before it is abandoned"),
    ):
        check.add_argument(
            f"--{key}",
            type=_limit(key),
            metavar=metavar,
            help=f"{what}; 0: no limit (default: `{key}` in [tool.mplint], else "
            f"{int(getattr(Config(), key.replace('-', '_'))):,})",
        )
    _one_of(
        check,
        ("--show-settings", "print the settings used for the first file, and exit"),
        ("--show-files", "print the files that would be checked, and exit"),
    )
    _flag(
        check,
        "--force-exclude",
        help="apply the configured excludes to files named on the command line too",
    )
    _flag(check, "--no-respect-gitignore", help="check files .gitignore ignores")
    _flag(check, "-q", "--quiet", help="print diagnostics only")

    rule = sub.add_parser("rule", help="explain a rule", allow_abbrev=False)
    rule.add_argument("code", nargs="?", help="a code (MPL101) or name (bad-process-target)")
    _flag(rule, "--all", help="every rule")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")

    rules = sub.add_parser("rules", help="list the rules", allow_abbrev=False)
    rules.add_argument("--output-format", choices=("text", "json"), default="text")

    sub.add_parser(
        "server", help="run the language server on stdio (needs the lsp extra)", allow_abbrev=False
    )

    clean = sub.add_parser("clean", help="remove the results cache", allow_abbrev=False)
    clean.add_argument(
        "--cache-dir",
        help=f"the cache to remove (default: {DEFAULT_CACHE_DIR} in the project root)",
    )
    return parser


def _flag(parser: argparse._ActionsContainer, *names: str, help: str) -> None:
    """An option that is on when given (``store_true``)."""
    parser.add_argument(*names, action="store_true", help=help)


def _one_of(parser: argparse.ArgumentParser, *flags: tuple[str, str]) -> None:
    """Flags (name, help) of which a command line may give at most one."""
    group = parser.add_mutually_exclusive_group()
    for name, help in flags:
        _flag(group, name, help=help)


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _limit(key: str) -> Callable[[str], Union[int, float]]:
    """The argument type of a per-file limit option (checked as the ``[tool.mplint]`` key is)."""

    seconds = key == "file-time-limit"

    def parse(value: str) -> Union[int, float]:
        try:
            return limit_value(key, float(value) if seconds else int(value), key)
        except (ValueError, ConfigError):
            kind = "a number of seconds" if seconds else "a whole number"
            raise argparse.ArgumentTypeError(
                f"expected {kind}, 0 or more (0: no limit), not {value!r}"
            ) from None

    return parse


def _progress_delay() -> float:
    """Seconds before the progress bar appears: ``MPLINT_PROGRESS_DELAY`` when set to a number (tests
    and impatient users), else the default."""
    try:
        return max(float(os.environ.get("MPLINT_PROGRESS_DELAY", "")), 0.0)
    except ValueError:
        return DELAY


def _split(value: Optional[str]) -> Optional[tuple[str, ...]]:
    if value is None:
        return None
    return tuple(v.strip() for v in value.replace(" ", ",").split(",") if v.strip())


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the console script; returns the exit code (``sys.exit`` is the caller's job)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rule":
            return _rule(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "server":
            return _server()
        if args.command == "clean":
            from mplint.cache import clean

            directory = args.cache_dir or str(find_project_root(".") / DEFAULT_CACHE_DIR)
            removed = clean(directory)
            print(f"Removed {directory}." if removed else f"No cache to remove ({directory}).")
            return EXIT_OK
    except ConfigError as error:
        print(f"mplint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("mplint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`mplint check | head`): stop quietly, as a killed-by-SIGPIPE program would.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return EXIT_ERROR


def _settings(args: argparse.Namespace) -> Overrides:
    """The command line's layer of settings (its codes checked against the code table)."""
    select = _split(args.select)
    if select == ():
        raise ConfigError("--select: no codes given; an empty selection would check nothing")
    replaced: list[tuple[str, object]] = []
    exclude = _split(getattr(args, "exclude", None))
    if exclude is not None:
        replaced.append(("exclude", exclude))
    per_file: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if getattr(args, "per_file_ignores", None):
        from mplint.cli_info import parse_per_file_ignores

        per_file = parse_per_file_ignores(args.per_file_ignores, os.getcwd())
        replaced.append(("per_file_ignores", per_file))
    if getattr(args, "target_version", None):
        replaced.append(("target_version", args.target_version))
    for limit in ("max_file_bytes", "max_file_lines", "file_time_limit"):
        if getattr(args, limit, None) is not None:
            replaced.append((limit, getattr(args, limit)))
    settings = Overrides(
        select=select,
        extend_select=_split(args.extend_select) or (),
        ignore=_split(args.ignore) or (),
        preview=args.preview,
        start_method=args.start_method,
        replaced=tuple(replaced),
        extend_exclude=_split(getattr(args, "extend_exclude", None)) or (),
    )
    for option, values in (
        ("--select", settings.select or ()),
        ("--extend-select", settings.extend_select),
        ("--ignore", settings.ignore),
        *(("--per-file-ignores", codes) for _, codes in per_file),
    ):
        unknown = unknown_selectors(values)
        if unknown:
            raise ConfigError(
                f"{option}: unknown rule code(s): {', '.join(unknown)} (see `mplint rules`)"
            )
    return settings


def _check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    fixed_file = Path(args.config) if args.config else None
    if fixed_file is not None and not fixed_file.is_file():
        raise ConfigError(f"--config {args.config}: no such file")
    resolver = Resolver(settings, fixed_file)
    if args.add_noqa:
        return _add_noqa(args, resolver)
    renderer = get_renderer(args.output_format)
    assert renderer is not None
    read_stdin = "-" in args.paths or (args.stdin_filename is not None and not args.paths)
    paths: list[str] = [p for p in args.paths if p != "-"] or ([] if read_stdin else ["."])
    missing = [p for p in paths if not os.path.exists(p) and not os.path.islink(p)]
    existing = [p for p in paths if p not in missing]
    display = args.stdin_filename or "-"
    if args.show_settings or args.show_files:
        return _show(args, resolver, existing, display if read_stdin else None)
    warnings: list[str] = []
    if not args.quiet:
        from mplint.cli_info import selection_warnings

        first = existing[0] if existing else (display if args.stdin_filename else ".")
        warnings.extend(selection_warnings(resolver(first)))
    results: list[FileResult] = [
        FileResult(given, [io_diagnostic(given, "no such file or directory")]) for given in missing
    ]
    options = Options(
        fix=bool(args.fix), unsafe_fixes=bool(args.unsafe_fixes), diff=bool(args.diff)
    )
    checked: list[str] = []
    fixed_stdin: Optional[str] = None
    if read_stdin:
        config = resolver(display if args.stdin_filename else ".")
        data = sys.stdin.buffer.read()
        try:
            text, encoding = decode_source(data, display)
        except SourceError as error:
            results.append(FileResult(display, [io_diagnostic(display, str(error))]))
        else:
            source = SourceFile(display, text, encoding, "")
            # with --stdin-filename the text stands in for that file of its project
            project = None
            if args.stdin_filename:
                from mplint.project import project_for

                project = project_for(display, None, config.default_start_method)
            result = check_text(display, source, config, options, project=project)
            if not is_notebook_path(display):
                result.noqa_warnings = unknown_noqa_codes(text)
            results.append(result)
            checked.append(display)
            fixed_stdin = result.fixed_text if result.fixed_text is not None else text
    if existing:
        candidates = list(
            discover(
                existing,
                resolver,
                force_exclude=args.force_exclude,
                respect_gitignore=not args.no_respect_gitignore,
            )
        )
        checked.extend(os.path.normpath(candidate.path) for candidate in candidates)
        cache = None if args.no_cache else Cache(_cache_dir(args, resolver))
        progress = (
            Progress(sys.stderr, delay=_progress_delay())
            if wanted(sys.stderr, args.quiet)
            else None
        )
        try:
            results.extend(
                check_files(
                    candidates, resolver, options, jobs=args.jobs, cache=cache, progress=progress
                )
            )
        finally:
            if progress is not None:
                progress.close()
        if not candidates and not args.quiet:
            warnings.append(f"No Python files found under {', '.join(existing)}")
    if fixed_stdin is not None and args.fix and not args.diff:
        sys.stdout.write(fixed_stdin)
        sys.stdout.flush()
    for warning in warnings:
        print(f"mplint: warning: {warning}", file=sys.stderr)
    if not args.quiet:
        for result in results:
            for line, code in result.noqa_warnings:
                print(
                    f"{result.path}:{line}: warning: unknown rule code {code} in `# noqa` "
                    "(see `mplint rules`)",
                    file=sys.stderr,
                )

    diagnostics = sorted((d for r in results for d in r.diagnostics), key=Diagnostic.sort_key)
    fixed = sum(r.fixed for r in results)
    stream: TextIO
    if read_stdin and args.fix and not args.diff:
        stream = sys.stderr  # standard output carries the fixed code
    else:
        stream = sys.stdout
    context = OutputContext(
        fixed=fixed,
        found=sum(r.found for r in results) if options.fixing else None,
        fix_mode=bool(args.fix),
        unsafe_fixes=bool(args.unsafe_fixes),
        show_fixes=bool(args.show_fixes),
        statistics=bool(args.statistics),
        # the diagnostics left after --fix are positions in the fixed text
        sources={
            **{
                r.path: r.fixed_text if r.fixed_text is not None else r.source_text
                for r in results
                if r.source_text is not None
            },
            **{key: code for r in results for key, code in r.cell_sources.items()},
        },
        checked_files=checked,
        applied=[d for r in results if r.fixed for d in r.applied],
        quiet=bool(args.quiet),
        color=use_color(args.color, None if args.output_file else stream),
    )
    nothing_checked = not checked and not diagnostics
    if args.diff:
        diff = "".join(r.diff for r in results)
        stream.write(diff)
        meta = [d for d in diagnostics if d.is_meta]
        if meta:
            meta_context = replace(context, color=use_color(args.color, sys.stderr))
            _write(sys.stderr, renderer(meta, meta_context))
        if fixed:
            print(f"Would fix {fixed} error{'s' if fixed != 1 else ''}.", file=sys.stderr)
        if any(d.code == INTERNAL_ERROR for d in diagnostics) or missing:
            return EXIT_ERROR
        return EXIT_FOUND if diff and not args.exit_zero else EXIT_OK
    if args.statistics:
        statistics_renderer = get_statistics_renderer(args.output_format)
        assert statistics_renderer is not None
        text = statistics_renderer(diagnostics, context)
    else:
        text = renderer(diagnostics, context)
    if nothing_checked and args.output_format in ("concise", "full"):
        text = ""  # not "All checks passed!": the warning above says nothing was found to check
    if args.output_file:
        try:
            with open(args.output_file, "w", encoding="utf-8", errors="backslashreplace") as out:
                out.write(text)
        except OSError as error:
            print(f"mplint: error: cannot write {args.output_file}: {error}", file=sys.stderr)
            return EXIT_ERROR
    elif not (args.quiet and not diagnostics):
        _write(stream, text)
    if any(d.code == INTERNAL_ERROR for d in diagnostics) or missing:
        return EXIT_ERROR  # a path that does not exist is a usage error, even with --exit-zero
    if args.exit_zero:
        return EXIT_OK
    if diagnostics:
        return EXIT_FOUND
    if fixed and args.exit_non_zero_on_fix:
        return EXIT_FOUND
    return EXIT_OK


def _cache_dir(args: argparse.Namespace, resolver: Resolver) -> str:
    """``--cache-dir``, else ``.mplint_cache`` in the project root: the directory of ``--config``, or of
    the nearest configuration file or pyproject.toml above the working directory (ruff's rule)."""
    if args.cache_dir:
        return str(args.cache_dir)
    if resolver.config_file is not None:
        return str(resolver.config_file.resolve().parent / DEFAULT_CACHE_DIR)
    return str(find_project_root(".") / DEFAULT_CACHE_DIR)


def _show(
    args: argparse.Namespace, resolver: Resolver, existing: list[str], stdin: Optional[str]
) -> int:
    """``--show-files`` (the files a check would read) or ``--show-settings`` (for the first one)."""
    candidates = [
        os.path.normpath(c.path)
        for c in discover(
            existing,
            resolver,
            force_exclude=args.force_exclude,
            respect_gitignore=not args.no_respect_gitignore,
        )
    ]
    files = ([stdin] if stdin is not None else []) + candidates
    if args.show_files:
        for path in files:
            print(path)
        if not files:
            print("mplint: warning: No Python files found", file=sys.stderr)
        return EXIT_OK
    from mplint.cli_info import show_settings

    target = files[0] if files else (existing[0] if existing else ".")
    _write(sys.stdout, show_settings(target, resolver(target), resolver.file_for(target)))
    return EXIT_OK


def _write(stream: TextIO, text: str) -> None:
    """Write ``text``; characters the stream cannot encode (a file name in a foreign encoding, say)
    are escaped instead of failing the run."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


def _add_noqa(args: argparse.Namespace, resolver: Resolver) -> int:
    """``--add-noqa``: write ``# noqa: CODE`` on every line with a diagnostic; report what was added."""
    from mplint.engine import lint_source
    from mplint.output.concise import render as render_concise
    from mplint.output.noqa import add_noqa
    from mplint.project import project_for

    if args.fix or args.diff:
        print("mplint: error: --add-noqa cannot be used with --fix or --diff", file=sys.stderr)
        return EXIT_ERROR
    paths: list[str] = list(args.paths) or ["."]
    if "-" in paths or (args.stdin_filename is not None and not args.paths):
        print(
            "mplint: error: --add-noqa edits files; it cannot read standard input", file=sys.stderr
        )
        return EXIT_ERROR
    problems = [
        io_diagnostic(given, "no such file or directory")
        for given in paths
        if not os.path.exists(given) and not os.path.islink(given)
    ]
    added = skipped = 0
    candidates = discover(
        [p for p in paths if os.path.exists(p)],
        resolver,
        force_exclude=args.force_exclude,
        respect_gitignore=not args.no_respect_gitignore,
    )
    for candidate in candidates:
        display = os.path.normpath(candidate.path)
        if is_notebook_path(display):
            print(
                f"{display}: no `# noqa` added: --add-noqa does not edit notebooks", file=sys.stderr
            )
            continue
        config = resolver(candidate.path)
        try:
            source = read_source(candidate.path)
        except SourceError as error:
            problems.append(io_diagnostic(display, str(error)))
            continue
        project = project_for(candidate.path, None, config.default_start_method)
        diagnostics = lint_source(display, source.text, config, project=project)
        problems.extend(d for d in diagnostics if d.is_meta)
        result = add_noqa(source.text, diagnostics)
        for line, codes, reason in result.skipped:
            skipped += 1
            print(
                f"{display}:{line}: no `# noqa: {', '.join(codes)}` added: {reason}",
                file=sys.stderr,
            )
        if not result.added:
            continue
        try:
            write_source(source, result.text)
        except (SourceError, OSError) as error:
            problems.append(io_diagnostic(display, f"noqa comments not written: {error}"))
            continue
        added += result.added
    if problems:
        context = OutputContext(quiet=True, color=use_color(args.color, sys.stderr))
        _write(sys.stderr, render_concise(sorted(problems, key=Diagnostic.sort_key), context))
    print(f"Added {added} noqa directive{'' if added == 1 else 's'}.", file=sys.stderr)
    if any(d.code == INTERNAL_ERROR for d in problems):
        return EXIT_ERROR
    if (problems or skipped) and not args.exit_zero:
        return EXIT_FOUND
    return EXIT_OK


def _rule_json(rule: object) -> dict[str, object]:
    from mplint.rule import LintRule

    assert isinstance(rule, type) and issubclass(rule, LintRule)
    return {
        "code": rule.CODE,
        "name": rule.NAME,
        "message": rule.MESSAGE,
        "summary": rule.summary(),
        "severity": rule.SEVERITY.value,
        "fix": rule.FIX,
        "fix_title": rule.FIX_TITLE,
        "preview": rule.PREVIEW,
        "url": rule.url(),
        "explanation": rule.docs(),
    }


def _rule(args: argparse.Namespace) -> int:
    from mplint.registry import all_rules, rule_by_code

    if args.all:
        chosen = list(all_rules())
    elif args.code:
        rule = rule_by_code(args.code)
        if rule is None:
            from mplint.cli_info import meta_json, meta_page

            page = meta_page(args.code)
            if page is not None:
                if args.output_format == "json":
                    print(json.dumps(meta_json(args.code), indent=2))
                else:
                    _write(sys.stdout, page)
                return EXIT_OK
            print(
                f"mplint: error: unknown rule {args.code!r} (see `mplint rules`)", file=sys.stderr
            )
            return EXIT_ERROR
        chosen = [rule]
    else:
        print("mplint: error: give a rule code or --all", file=sys.stderr)
        return EXIT_ERROR
    if args.output_format == "json":
        data = [_rule_json(r) for r in chosen]
        print(json.dumps(data if args.all else data[0], indent=2))
        return EXIT_OK
    from mplint.docs import render_rule_page

    # exactly the text of rules/<CODE>.md (pages separated by a blank line with --all)
    _write(sys.stdout, "\n".join(render_rule_page(r) for r in chosen))
    return EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    from mplint.registry import all_rules

    rules = all_rules()
    if args.output_format == "json":
        print(json.dumps([_rule_json(r) for r in rules], indent=2))
        return EXIT_OK
    for rule in rules:
        flags = []
        if rule.FIX:
            flags.append(f"fix: {rule.FIX}")
        if rule.PREVIEW:
            flags.append("preview")
        extra = f" ({', '.join(flags)})" if flags else ""
        print(f"{rule.CODE}  {rule.NAME:<34} {rule.SEVERITY.value:<8}{extra}")
    return EXIT_OK


def _server() -> int:
    import importlib

    try:
        server = importlib.import_module("mplint.server")
    except ImportError as error:
        print(
            "mplint: error: the language server needs the lsp extra "
            f"(from a checkout of mplint: pip install '.[lsp]'): {error}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    server.serve()
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
