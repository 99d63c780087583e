"""Ecosystem check: run the mplint of this checkout over pinned releases of real projects that use
multiprocessing, and compare every finding with the triaged ledger committed beside this script.

    python benchmarks/ecosystem/run.py            # download what is missing, check, compare, print the table
    python benchmarks/ecosystem/run.py --check    # the same, terse: what CI calls
    python benchmarks/ecosystem/run.py --update   # write new findings into the ledger as `untriaged`
    python benchmarks/ecosystem/run.py --only gtdbtk --show   # one project, every finding printed

The projects and their archives (exact version, file name and sha256) are listed in ``projects.toml``.
Archives are downloaded from the package index's simple API (``$MPLINT_ECOSYSTEM_INDEX``, else PyPI;
nothing is built or installed) into a cache directory outside the repository
(``$MPLINT_ECOSYSTEM_CACHE``, else ``~/.cache/mplint-ecosystem``) and only when missing; the sha256 is
checked on every run. Only the ``.py`` members are extracted, into a temporary tree, and read
as text by mplint: no project code is imported or run.

mplint runs twice over the tree (default rules, then ``--preview``) with JSON output. A finding is keyed by
(project, path inside the project, code, the stripped text of its source line, occurrence), never by its
line number, so edits elsewhere in a file do not churn the ledger. The ledger (``ledger.toml``) holds one
entry per key with the modes it appears in, a verdict (``true``, ``false``, ``debatable`` or
``untriaged``) and a one-line reason.

Exit status: 0 when the findings match the ledger and every entry is triaged; 1 on a new finding, a
vanished one, a finding whose modes changed, or an untriaged entry; 2 on a setup error (a file the index
does not have, a checksum, an mplint failure); 3 when the package index cannot be reached.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the project supports 3.9 and 3.10 through tomli
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROJECTS = HERE / "projects.toml"
LEDGER = HERE / "ledger.toml"
SETTINGS = HERE / "settings.toml"
CACHE_ENV = "MPLINT_ECOSYSTEM_CACHE"
DEFAULT_CACHE = Path("~/.cache/mplint-ecosystem")
INDEX_ENV = "MPLINT_ECOSYSTEM_INDEX"
DEFAULT_INDEX = "https://pypi.org/simple/"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
DOWNLOAD_TIMEOUT = 120
DOWNLOADS = 8  # archives downloaded at once

MODES = ("default", "preview")
VERDICTS = ("true", "false", "debatable", "untriaged")
KINDS = ("application", "library")
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_NEWLINES = re.compile(r"\r\n|\r|\n")


class EcosystemError(Exception):
    """A setup problem (bad list or ledger, wrong checksum, mplint crash): exit 2."""


class Unreachable(EcosystemError):
    """The package index could not be reached (no network, a timeout, a server error): exit 3, so that
    CI can tell an outage, when nothing was judged, from a check that failed."""


@dataclass(frozen=True)
class Project:
    """One pinned release: the archive pip downloads and its checksum."""

    name: str
    version: str
    kind: str
    file: str
    sha256: str
    size: int

    @property
    def is_sdist(self) -> bool:
        return self.file.endswith(SDIST_SUFFIXES)


@dataclass(frozen=True, order=True)
class Key:
    """What identifies a finding across runs: no line numbers, so unrelated edits do not move it."""

    project: str
    path: str
    code: str
    line: str
    occurrence: int = 1


@dataclass
class Entry:
    """One ledger entry: a finding, the modes it appears in, and a person's verdict on it."""

    key: Key
    modes: tuple[str, ...]
    verdict: str = "untriaged"
    reason: str = ""


@dataclass(frozen=True)
class Observed:
    """A finding from this run, with what a person needs to triage it (row and message)."""

    key: Key
    row: int
    column: int
    message: str


@dataclass
class Comparison:
    """How this run's findings differ from the ledger."""

    new: list[Key] = field(default_factory=list)
    vanished: list[Entry] = field(default_factory=list)
    modes_changed: list[tuple[Entry, tuple[str, ...]]] = field(default_factory=list)
    untriaged: list[Entry] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.new or self.vanished or self.modes_changed or self.untriaged)


# ---------------------------------------------------------------------------------------------------
# The project list and the ledger


def load_projects(path: Path = PROJECTS) -> list[Project]:
    """Read and validate ``projects.toml``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    projects: list[Project] = []
    seen: set[str] = set()
    for raw in data.get("project", []):
        try:
            project = Project(
                name=str(raw["name"]),
                version=str(raw["version"]),
                kind=str(raw["kind"]),
                file=str(raw["file"]),
                sha256=str(raw["sha256"]),
                size=int(raw["size"]),
            )
        except KeyError as missing:
            raise EcosystemError(f"{path}: a project lacks {missing}") from None
        if project.name in seen:
            raise EcosystemError(f"{path}: {project.name} is listed twice")
        if project.kind not in KINDS:
            raise EcosystemError(f"{path}: {project.name}: kind must be one of {KINDS}")
        if not _SHA256.fullmatch(project.sha256):
            raise EcosystemError(f"{path}: {project.name}: sha256 must be 64 lowercase hex digits")
        if project.version not in project.file:
            raise EcosystemError(
                f"{path}: {project.name}: {project.file} is not version {project.version}"
            )
        seen.add(project.name)
        projects.append(project)
    return projects


def load_ledger(path: Path = LEDGER) -> list[Entry]:
    """Read and validate the ledger; a missing file is an empty ledger."""
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    seen: set[Key] = set()
    for index, raw in enumerate(data.get("finding", []), start=1):
        where = f"{path}: finding {index}"
        try:
            key = Key(
                project=str(raw["project"]),
                path=str(raw["path"]),
                code=str(raw["code"]),
                line=str(raw["line"]),
                occurrence=int(raw.get("occurrence", 1)),
            )
            modes = tuple(str(mode) for mode in raw["modes"])
            verdict = str(raw["verdict"])
            reason = str(raw.get("reason", ""))
        except KeyError as missing:
            raise EcosystemError(f"{where} lacks {missing}") from None
        if key in seen:
            raise EcosystemError(f"{where} repeats {key}")
        if not modes or any(mode not in MODES for mode in modes) or len(set(modes)) != len(modes):
            raise EcosystemError(f"{where}: modes must be a non-empty subset of {MODES}")
        if verdict not in VERDICTS:
            raise EcosystemError(f"{where}: verdict must be one of {VERDICTS}")
        if verdict != "untriaged" and not reason.strip():
            raise EcosystemError(f"{where}: a verdict needs a reason")
        if "\n" in reason:
            raise EcosystemError(f"{where}: the reason must be one line")
        seen.add(key)
        entries.append(Entry(key, modes, verdict, reason))
    return entries


def _toml_string(text: str) -> str:
    # A JSON string without ASCII escaping is a valid TOML basic string (control characters become
    # \\uXXXX, which TOML accepts; characters outside the BMP stay literal).
    return json.dumps(text, ensure_ascii=False)


def dump_ledger(entries: Iterable[Entry]) -> str:
    """The ledger as TOML, sorted by key so that updates give small diffs."""
    out = [
        "# mplint ecosystem ledger: every finding on the projects of projects.toml, with a verdict.",
        "# Written by `python benchmarks/ecosystem/run.py --update`; verdicts and reasons by hand.",
        "# verdict: true (a real problem), false (a false positive), debatable, untriaged (not judged yet).",
        "# The key is project + path + code + line (the source line's stripped text) + occurrence.",
        "",
    ]
    for entry in sorted(entries, key=lambda e: e.key):
        key = entry.key
        out.append("[[finding]]")
        out.append(f"project = {_toml_string(key.project)}")
        out.append(f"path = {_toml_string(key.path)}")
        out.append(f"code = {_toml_string(key.code)}")
        out.append(f"line = {_toml_string(key.line)}")
        if key.occurrence != 1:
            out.append(f"occurrence = {key.occurrence}")
        out.append("modes = [" + ", ".join(_toml_string(m) for m in entry.modes) + "]")
        out.append(f"verdict = {_toml_string(entry.verdict)}")
        out.append(f"reason = {_toml_string(entry.reason)}")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------
# Keys and the comparison


def source_line(text: str, row: int) -> str:
    """The stripped text of 1-based line ``row`` (line ends as Python's tokenizer sees them)."""
    lines = _NEWLINES.split(text)
    if 1 <= row <= len(lines):
        return lines[row - 1].strip()
    return ""


def key_findings(
    project: str, findings: Iterable[tuple[str, str, int, int, str]], read: Mapping[str, str]
) -> list[Observed]:
    """Key one project's findings, given as (path, code, row, column, message) with ``read`` mapping
    each path to its text. Equal (path, code, line) triples are numbered in source order."""
    ordered = sorted(findings, key=lambda f: (f[0], f[1], f[2], f[3]))
    counts: Counter[tuple[str, str, str]] = Counter()
    observed: list[Observed] = []
    for path, code, row, column, message in ordered:
        line = source_line(read[path], row)
        counts[(path, code, line)] += 1
        key = Key(project, path, code, line, counts[(path, code, line)])
        observed.append(Observed(key, row, column, message))
    return observed


def compare(
    ledger: Sequence[Entry], observed: Mapping[Key, tuple[str, ...]], projects: Iterable[str]
) -> Comparison:
    """Compare this run (key -> the modes it appeared in) with the ledger, for the projects run."""
    scope = set(projects)
    result = Comparison()
    known = {entry.key: entry for entry in ledger if entry.key.project in scope}
    for key in sorted(observed):
        entry = known.get(key)
        if entry is None:
            result.new.append(key)
            continue
        if tuple(sorted(entry.modes)) != tuple(sorted(observed[key])):
            result.modes_changed.append((entry, observed[key]))
        if entry.verdict == "untriaged":
            result.untriaged.append(entry)
    result.vanished = [entry for key, entry in sorted(known.items()) if key not in observed]
    return result


def updated_ledger(
    ledger: Sequence[Entry], observed: Mapping[Key, tuple[str, ...]], projects: Iterable[str]
) -> list[Entry]:
    """The ledger after ``--update``: verdicts kept, modes refreshed, new findings untriaged, vanished
    findings of the projects run dropped (entries of projects not run are kept as they are)."""
    scope = set(projects)
    kept = [entry for entry in ledger if entry.key.project not in scope]
    known = {entry.key: entry for entry in ledger if entry.key.project in scope}
    for key, modes in observed.items():
        entry = known.get(key)
        if entry is None:
            kept.append(Entry(key, tuple(modes)))
        else:
            kept.append(Entry(key, tuple(modes), entry.verdict, entry.reason))
    return sorted(kept, key=lambda e: e.key)


def rule_table(ledger: Sequence[Entry], observed: Mapping[Key, tuple[str, ...]], mode: str) -> str:
    """Markdown table per rule for one mode: findings and their verdicts (new findings are untriaged)."""
    verdicts = {entry.key: entry.verdict for entry in ledger}
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for key, modes in observed.items():
        if mode in modes:
            rows[key.code]["findings"] += 1
            rows[key.code][verdicts.get(key, "untriaged")] += 1
    total: Counter[str] = Counter()
    lines = [
        "| rule | findings | true | false | debatable | untriaged |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    columns = ("findings", *VERDICTS)
    for code in sorted(rows):
        total.update(rows[code])
        lines.append(f"| {code} | " + " | ".join(str(rows[code][c]) for c in columns) + " |")
    lines.append("| **all** | " + " | ".join(f"**{total[c]}**" for c in columns) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------
# Download, extraction and the mplint runs


def cache_dir(option: str | None) -> Path:
    chosen = option or os.environ.get(CACHE_ENV) or str(DEFAULT_CACHE)
    return Path(chosen).expanduser().resolve()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def index_url() -> str:
    """The package index's simple API (PEP 503/691): ``$MPLINT_ECOSYSTEM_INDEX``, else PyPI's."""
    return os.environ.get(INDEX_ENV, DEFAULT_INDEX).rstrip("/") + "/"


def _normalized(name: str) -> str:
    """A project name as the simple API spells it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _get(url: str, accept: str = "*/*") -> bytes:
    request = urllib.request.Request(
        url, headers={"Accept": accept, "User-Agent": "mplint-ecosystem"}
    )
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
        data: bytes = response.read()
    return data


def archive_url(project: Project, index: str) -> str:
    """Where the index keeps the project's pinned file: its project page in the JSON form of the simple
    API lists every file with its URL and hashes. The file must carry the pinned sha256."""
    page = urllib.parse.urljoin(index, _normalized(project.name) + "/")
    listing = json.loads(_get(page, accept=SIMPLE_JSON))
    for item in listing.get("files", []):
        if item.get("filename") == project.file:
            listed = item.get("hashes", {}).get("sha256")
            if listed is not None and listed != project.sha256:
                raise EcosystemError(
                    f"{page} lists {project.file} with sha256 {listed}, pinned {project.sha256}"
                )
            return urllib.parse.urljoin(page, str(item["url"]))
    raise EcosystemError(f"{page} does not list {project.file}")


def fetch(project: Project, cache: Path, index: str | None = None) -> tuple[Path, bool]:
    """The project's archive in the cache, downloaded from the package index if missing (no pip, nothing
    built or installed); (path, downloaded). The sha256 is checked every time."""
    archive = cache / project.file
    downloaded = False
    if not archive.exists():
        cache.mkdir(parents=True, exist_ok=True)
        try:
            data = _get(archive_url(project, index or index_url()))
        except urllib.error.HTTPError as error:
            if error.code < 500:  # the index answered: the file is not where the pin says
                raise EcosystemError(f"could not download {project.file}: {error}") from error
            raise Unreachable(f"could not download {project.file}: {error}") from error
        except OSError as error:  # no route, refused, timed out (URLError is an OSError)
            raise Unreachable(f"could not download {project.file}: {error}") from error
        except (ValueError, KeyError) as error:
            raise EcosystemError(f"could not download {project.file}: {error}") from error
        actual = hashlib.sha256(data).hexdigest()
        if actual != project.sha256:
            raise EcosystemError(
                f"downloaded {project.file}: sha256 {actual}, expected {project.sha256}"
            )
        partial = archive.with_name(archive.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, archive)
        downloaded = True
    actual = sha256_of(archive)
    if actual != project.sha256:
        raise EcosystemError(f"{archive}: sha256 {actual}, expected {project.sha256}")
    return archive, downloaded


def _member_path(name: str, strip_top: bool) -> str | None:
    """The member's path inside the project, or None when it is not a safe ``.py`` path."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not name.endswith(".py") or not parts or parts[0] == "/" or ".." in parts:
        return None
    if strip_top:
        parts = parts[1:]
    return "/".join(parts) if parts else None


def extract_python(archive: Path, target: Path) -> int:
    """Write the archive's ``.py`` members below ``target`` (an sdist's top directory dropped);
    returns how many. Nothing else is extracted and nothing is executed."""
    strip_top = archive.name.endswith(SDIST_SUFFIXES)
    count = 0

    def write(name: str, data: bytes) -> None:
        nonlocal count
        inside = _member_path(name, strip_top)
        if inside is None:
            return
        destination = target / inside
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        count += 1

    if archive.name.endswith((".zip", ".whl")):
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                if not info.is_dir():
                    write(info.filename, zipped.read(info))
    else:
        with tarfile.open(archive) as tarred:
            for member in tarred.getmembers():
                if member.isfile():
                    handle = tarred.extractfile(member)
                    if handle is not None:
                        write(member.name, handle.read())
    return count


def run_mplint(tree: Path, preview: bool, jobs: int) -> list[dict[str, object]]:
    """This checkout's mplint over ``tree`` (JSON, no cache, settings of SETTINGS only)."""
    command = [
        sys.executable,
        "-m",
        "mplint",
        "check",
        str(tree),
        "--no-cache",
        "--no-respect-gitignore",
        "--exit-zero",
        "--output-format",
        "json",
        "--config",
        str(SETTINGS),
        "--jobs",
        str(jobs),
    ]
    if preview:
        command.append("--preview")
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env, cwd=tree)
    if done.returncode != 0:
        raise EcosystemError(f"mplint exited {done.returncode}:\n{done.stderr.strip()[-4000:]}")
    findings: list[dict[str, object]] = json.loads(done.stdout or "[]")
    return findings


def observe(tree: Path, findings: Iterable[Mapping[str, object]]) -> list[Observed]:
    """Key mplint's JSON findings over ``tree`` (one directory per project)."""
    per_project: dict[str, list[tuple[str, str, int, int, str]]] = defaultdict(list)
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    for finding in findings:
        filename = Path(str(finding["filename"]))
        if not filename.is_absolute():
            filename = tree / filename
        relative = filename.resolve().relative_to(tree.resolve()).parts
        project, inside = relative[0], "/".join(relative[1:])
        location = finding["location"]
        assert isinstance(location, dict)
        row, column = int(location["row"]), int(location["column"])
        if inside not in texts[project]:
            texts[project][inside] = filename.read_bytes().decode("utf-8", errors="replace")
        per_project[project].append(
            (inside, str(finding["code"]), row, column, str(finding["message"]))
        )
    observed: list[Observed] = []
    for project, items in per_project.items():
        observed.extend(key_findings(project, items, texts[project]))
    return observed


def lint_modes(tree: Path, jobs: int) -> tuple[dict[str, list[Observed]], dict[str, float]]:
    """Each mode's keyed findings and wall seconds. With ``jobs`` >= 2 the two runs go side by side
    (half the workers each); with 1 they run one after the other."""

    def one(mode: str) -> tuple[list[Observed], float]:
        begin = time.perf_counter()
        found = observe(tree, run_mplint(tree, mode == "preview", max(1, jobs // 2)))
        return found, time.perf_counter() - begin

    if jobs >= 2:
        with ThreadPoolExecutor(len(MODES)) as pool:
            done = dict(zip(MODES, pool.map(one, MODES)))
    else:
        done = {mode: one(mode) for mode in MODES}
    return {m: done[m][0] for m in MODES}, {m: done[m][1] for m in MODES}


# ---------------------------------------------------------------------------------------------------
# The command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Run mplint over pinned real projects and compare with the triaged ledger.",
    )
    parser.add_argument(
        "--check", action="store_true", help="terse output for CI (same exit status)"
    )
    parser.add_argument(
        "--update", action="store_true", help="write new findings into the ledger as untriaged"
    )
    parser.add_argument(
        "--cache-dir", help=f"where archives are kept (default: ${CACHE_ENV} or {DEFAULT_CACHE})"
    )
    parser.add_argument("--jobs", type=int, default=1, help="mplint worker processes (default: 1)")
    parser.add_argument("--only", action="append", metavar="NAME", help="run these projects only")
    parser.add_argument(
        "--keep-tree", metavar="DIR", help="extract into DIR and keep it (for triage)"
    )
    parser.add_argument("--show", action="store_true", help="print every finding with its verdict")
    parser.add_argument("--projects", type=Path, default=PROJECTS, help=argparse.SUPPRESS)
    parser.add_argument("--ledger", type=Path, default=LEDGER, help=argparse.SUPPRESS)
    return parser


def _describe(key: Key) -> str:
    suffix = f" (#{key.occurrence})" if key.occurrence != 1 else ""
    return f"{key.project}: {key.path}: {key.code}{suffix}: {key.line}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _main(args)
    except EcosystemError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3 if isinstance(error, Unreachable) else 2


def _main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    projects = load_projects(args.projects)
    ledger = load_ledger(args.ledger)
    # Entries of a project no longer listed count as vanished (and --update drops them).
    unlisted = sorted({entry.key.project for entry in ledger} - {p.name for p in projects})
    if args.only:
        unknown = set(args.only) - {p.name for p in projects}
        if unknown:
            raise EcosystemError(f"not in {args.projects.name}: {', '.join(sorted(unknown))}")
        projects = [p for p in projects if p.name in args.only]
    cache = cache_dir(args.cache_dir)

    def say(text: str) -> None:
        if not args.check:
            print(text, flush=True)

    downloaded_bytes = 0
    archives: dict[str, Path] = {}
    index = index_url()
    with ThreadPoolExecutor(max_workers=DOWNLOADS) as pool:  # downloads wait on the network
        fetched_all = list(pool.map(lambda project: fetch(project, cache, index), projects))
    for project, (archive, fresh) in zip(projects, fetched_all):
        if fresh:
            downloaded_bytes += archive.stat().st_size
            say(f"downloaded {project.file} ({archive.stat().st_size / 1e6:.1f} MB)")
        archives[project.name] = archive
    fetched = time.perf_counter()

    scratch = None if args.keep_tree else tempfile.mkdtemp(prefix="mplint-ecosystem-")
    tree = Path(args.keep_tree or str(scratch)).resolve()
    try:
        if args.keep_tree and tree.exists():
            shutil.rmtree(tree)
        files = 0
        for name, archive in archives.items():
            files += extract_python(archive, tree / name)
        extracted = time.perf_counter()
        runs, seconds = lint_modes(tree, args.jobs)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    modes_of: dict[Key, list[str]] = defaultdict(list)
    details: dict[Key, Observed] = {}
    for mode in MODES:
        for item in runs[mode]:
            modes_of[item.key].append(mode)
            details.setdefault(item.key, item)
    observed = {key: tuple(modes) for key, modes in modes_of.items()}
    names = [p.name for p in projects] + unlisted
    comparison = compare(ledger, observed, names)

    if args.show:
        verdicts = {entry.key: entry for entry in ledger}
        for key in sorted(observed):
            item = details[key]
            entry = verdicts.get(key)
            verdict = entry.verdict if entry else "new"
            print(
                f"{key.project}/{key.path}:{item.row}:{item.column}: {key.code} [{verdict}] "
                f"[{','.join(observed[key])}] {item.message}"
            )
            if entry and entry.reason:
                print(f"    reason: {entry.reason}")

    for key in comparison.new:
        item = details[key]
        print(f"new: {_describe(key)}  (line {item.row}: {item.message})")
    for entry in comparison.vanished:
        print(f"vanished [{entry.verdict}]: {_describe(entry.key)}")
    for entry, modes in comparison.modes_changed:
        print(f"modes changed {list(entry.modes)} -> {list(modes)}: {_describe(entry.key)}")
    if not args.update:
        for entry in comparison.untriaged:
            print(f"untriaged: {_describe(entry.key)}")

    if args.update:
        merged = updated_ledger(ledger, observed, names)
        args.ledger.write_text(dump_ledger(merged), encoding="utf-8")
        say(f"wrote {args.ledger} ({len(merged)} findings)")
        ledger = merged

    for mode in MODES:
        title = "default rules" if mode == "default" else "--preview"
        say(f"\n{title}:\n" + rule_table(ledger, observed, mode))
    total_size = sum(p.size for p in projects)
    print(
        f"\n{len(projects)} projects ({total_size / 1e6:.1f} MB of archives, "
        f"{downloaded_bytes / 1e6:.1f} MB downloaded now), {files} .py files; "
        f"fetch {fetched - started:.1f} s, extract {extracted - fetched:.1f} s, "
        f"mplint {seconds['default']:.1f} s + {seconds['preview']:.1f} s (--preview), "
        f"total {time.perf_counter() - started:.1f} s"
    )
    if args.update:
        return 0
    if comparison.failed:
        print(
            f"changed against the ledger: {len(comparison.new)} new, {len(comparison.vanished)} vanished, "
            f"{len(comparison.modes_changed)} with other modes, {len(comparison.untriaged)} untriaged"
        )
        return 1
    print("no change against the ledger")
    return 0


if __name__ == "__main__":
    sys.exit(main())
