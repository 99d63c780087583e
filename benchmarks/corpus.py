"""Run mplint over real code: the standard library of the running Python and the sources of packages that
use multiprocessing heavily (downloaded as sdists with pip, never committed).

    python benchmarks/corpus.py                      # every rule (with preview), counts per rule
    python benchmarks/corpus.py --select MPL201 -v   # one rule, print every finding to review
    python benchmarks/corpus.py --json out.json      # all findings as JSON

The sources land in benchmarks/corpus/ (git-ignored). Findings are reviewed by hand; the verdicts (true or
false positive) are recorded in benchmarks/corpus.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
PACKAGES = ("joblib", "loky", "billiard", "multiprocess", "mpire", "pebble")


def stdlib_dir() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_entries() -> list[Path]:
    """The standard library's top-level entries, without the third-party installs below it."""
    return [
        entry
        for entry in sorted(stdlib_dir().iterdir())
        if entry.name not in ("site-packages", "dist-packages", "__pycache__")
    ]


def fetch(packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Download and unpack each package's sdist once; returns name -> source directory."""
    downloads = CORPUS / "sdist"
    downloads.mkdir(parents=True, exist_ok=True)
    found: dict[str, Path] = {}
    missing = [p for p in packages if not any(downloads.glob(f"{p}-*"))]
    if missing:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                str(downloads),
                *missing,
            ],
            check=True,
        )
    for package in packages:
        archives = sorted(downloads.glob(f"{package}-*"))
        if not archives:
            continue
        archive = archives[-1]
        target = CORPUS / "src" / archive.name.replace(".tar.gz", "").replace(".zip", "")
        if not target.exists():
            target.mkdir(parents=True)
            if archive.name.endswith(".zip"):
                with zipfile.ZipFile(archive) as zipped:
                    zipped.extractall(target)
            else:
                with tarfile.open(archive) as tarred:
                    if sys.version_info >= (3, 12):
                        tarred.extractall(target, filter="data")
                    else:
                        tarred.extractall(target)  # sdists from PyPI, unpacked for reading
        found[package] = target
    return found


def run(paths: list[Path], select: str, preview: bool) -> list[dict[str, object]]:
    command = [
        sys.executable,
        "-m",
        "mplint",
        "check",
        "--no-respect-gitignore",
        "--exit-zero",
        "--output-format",
        "json",
        "--select",
        select,
        "--config",
        str(HERE / "corpus.toml"),
    ]
    if preview:
        command.append("--preview")
    out = subprocess.run(
        [*command, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(HERE.parent)},
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"mplint failed with exit code {out.returncode}")
    data: list[dict[str, object]] = json.loads(out.stdout)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--select", default="MPL")
    parser.add_argument("--no-preview", action="store_true")
    parser.add_argument("--only", choices=("stdlib", *PACKAGES), action="append")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every finding")
    parser.add_argument("--json", help="write all findings here")
    args = parser.parse_args()
    corpora: dict[str, list[Path]] = {"stdlib": stdlib_entries()}
    corpora.update({name: [path] for name, path in fetch().items()})
    if args.only:
        corpora = {k: v for k, v in corpora.items() if k in args.only}
    everything: list[dict[str, object]] = []
    table: dict[str, Counter[str]] = {}
    for name, paths in corpora.items():
        findings = run(paths, args.select, not args.no_preview)
        table[name] = Counter(str(f["code"]) for f in findings)
        for finding in findings:
            finding["corpus"] = name
        everything.extend(findings)
    codes = sorted({code for counts in table.values() for code in counts})
    print("| code | " + " | ".join(table) + " | total |")
    print("| --- | " + " | ".join("---" for _ in table) + " | --- |")
    for code in codes:
        row = [table[name][code] for name in table]
        print(f"| {code} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    if args.verbose:
        for finding in everything:
            location = finding["location"]
            assert isinstance(location, dict)
            print(
                f"{finding['filename']}:{location['row']}:{location['column']}: "
                f"{finding['code']} {finding['message']}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
