"""Apply every fix mplint has to a set of trees and record, per rule, what was applied and what the fix
verification refused (and why). Nothing is written: fixes are applied in memory.

    python benchmarks/fix_audit.py                     # tests/fixtures and tests/witnesses
    python benchmarks/fix_audit.py path/to/tree ...    # and these files or trees
    python benchmarks/fix_audit.py --target-version py311 --json audit.json

Every rule runs (preview included) and unsafe fixes count. For each file, each rule with a fixable
finding is fixed on its own (so that a refusal is charged to the rule whose fix it is), then all of them
together (a refusal only there is charged to "(together)"). The table counts, per rule: the files where
it has a fixable finding, the fixes applied (safe and unsafe), and the files where verification refused
its fixes; every refusal is listed below the table with its file and reason.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from mplint.diagnostics import Applicability  # noqa: E402
from mplint.engine import lint_source  # noqa: E402
from mplint.fixes import fix_source  # noqa: E402
from mplint.settings import Config  # noqa: E402
from mplint.source import SourceError, read_source  # noqa: E402

DEFAULT_TREES = (ROOT / "tests" / "fixtures", ROOT / "tests" / "witnesses")
TOGETHER = "(together)"
SKIPPED_DIRS = {".git", ".venv", "venv", "__pycache__", "build", "dist", ".tox", "node_modules"}


@dataclass
class RuleAudit:
    files: int = 0
    safe: int = 0
    unsafe: int = 0
    refusals: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


def python_files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        for found in sorted(path.rglob("*.py")):
            if found.name.endswith(".fixed.py"):
                continue  # a fixture's golden output
            if SKIPPED_DIRS.isdisjoint(found.relative_to(path).parts[:-1]):
                yield found


def audit_file(path: Path, config: Config, audit: dict[str, RuleAudit]) -> None:
    try:
        text = read_source(str(path)).text
    except (SourceError, OSError):
        return
    name = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    fixable = (Applicability.SAFE, Applicability.UNSAFE)
    codes = sorted(
        {
            d.code
            for d in lint_source(name, text, config)
            if d.fix is not None and d.fix.applicability in fixable
        }
    )
    refused = False
    for code in codes:
        entry = audit[code]
        entry.files += 1
        result = fix_source(name, text, replace(config, select=(code,)), unsafe=True)
        if result.error is not None:
            entry.refusals.append((name, result.error))
            refused = True
            continue
        for diagnostic in result.applied:
            assert diagnostic.fix is not None
            if diagnostic.fix.applicability is Applicability.SAFE:
                entry.safe += 1
            else:
                entry.unsafe += 1
    if len(codes) > 1 and not refused:
        result = fix_source(name, text, config, unsafe=True)
        if result.error is not None:
            audit[TOGETHER].refusals.append((name, result.error))


def render(audit: dict[str, RuleAudit], files: int) -> str:
    lines = [
        f"Fix audit: {files} files",
        "",
        "| Rule | Files with a fixable finding | Fixes applied (safe / unsafe) | Refused |",
        "| --- | ---: | ---: | ---: |",
    ]
    for code in sorted(audit):
        entry = audit[code]
        applied = f"{entry.safe + entry.unsafe} ({entry.safe} / {entry.unsafe})"
        lines.append(f"| {code} | {entry.files} | {applied} | {len(entry.refusals)} |")
    total_safe = sum(e.safe for e in audit.values())
    total_unsafe = sum(e.unsafe for e in audit.values())
    total_refused = sum(len(e.refusals) for e in audit.values())
    lines.append(
        f"| all | {sum(e.files for e in audit.values())} | "
        f"{total_safe + total_unsafe} ({total_safe} / {total_unsafe}) | {total_refused} |"
    )
    refusals = [(code, f, r) for code in sorted(audit) for f, r in audit[code].refusals]
    if refusals:
        lines += ["", "Refusals:"]
        lines += [f"- {code} {file}: {reason}" for code, file, reason in refusals]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="more files or trees to audit")
    parser.add_argument("--no-default", action="store_true", help="skip the fixtures and witnesses")
    parser.add_argument(
        "--target-version", help="e.g. py311 (default: none set, as in a new project)"
    )
    parser.add_argument("--json", type=Path, help="also write the audit as JSON here")
    args = parser.parse_args(argv)
    trees = [*(() if args.no_default else DEFAULT_TREES), *args.paths]
    config = Config(preview=True, target_version=args.target_version)
    audit: dict[str, RuleAudit] = defaultdict(RuleAudit)
    files = 0
    for path in python_files(trees):
        files += 1
        audit_file(path, config, audit)
    sys.stdout.write(render(audit, files))
    if args.json:
        data = {
            code: {
                "files": e.files,
                "safe": e.safe,
                "unsafe": e.unsafe,
                "refusals": [{"file": f, "reason": r} for f, r in e.refusals],
            }
            for code, e in sorted(audit.items())
        }
        args.json.write_text(json.dumps({"files": files, "rules": data}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
