"""The ecosystem check (benchmarks/ecosystem): the committed project list and ledger are well formed,
and the runner keys, compares and updates findings correctly on a tiny fake project (no network)."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from benchmarks.ecosystem import run as eco

ROOT = Path(__file__).resolve().parent.parent


# --- the committed files --------------------------------------------------------------------------


def test_project_list_is_pinned_and_large_enough() -> None:
    projects = eco.load_projects()
    assert len(projects) >= 30
    kinds = [p.kind for p in projects]
    assert kinds.count("application") >= 10 and kinds.count("library") >= 10
    # Applications first, then libraries.
    assert kinds == sorted(kinds, key=eco.KINDS.index)
    for project in projects:
        assert project.size < 50_000_000, project.name
        assert project.file.endswith((*eco.SDIST_SUFFIXES, ".whl")), project.file


def test_ledger_is_well_formed_and_fully_triaged() -> None:
    ledger = eco.load_ledger()
    names = {p.name for p in eco.load_projects()}
    assert ledger, "the ledger records the findings of a full run"
    for entry in ledger:
        assert entry.key.project in names, entry.key
        assert entry.verdict in ("true", "false", "debatable"), entry.key
        assert len(entry.reason.strip()) >= 15, entry.key
        assert entry.key.code.startswith("MPL"), entry.key
        assert entry.key.line, entry.key
    # The file is exactly what the writer produces (sorted, one format), so --update gives small diffs.
    assert eco.dump_ledger(ledger) == eco.LEDGER.read_text(encoding="utf-8")


def test_ledger_round_trips_awkward_text(tmp_path: Path) -> None:
    key = eco.Key("p", "a/b.py", "MPL201", 'x = "é\\t" + \'\x0c\' + "😀"  # q', 2)
    entry = eco.Entry(key, ("default", "preview"), "false", 'reason with "quotes" and \\')
    path = tmp_path / "ledger.toml"
    path.write_text(eco.dump_ledger([entry]), encoding="utf-8")
    assert eco.load_ledger(path) == [entry]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('verdict = "maybe"\nreason = "x"', "verdict must be one of"),
        ('verdict = "false"\nreason = ""', "needs a reason"),
        ('verdict = "true"\nreason = "two\\nlines"', "one line"),
    ],
)
def test_ledger_rejects_bad_entries(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "ledger.toml"
    path.write_text(
        '[[finding]]\nproject = "p"\npath = "a.py"\ncode = "MPL201"\nline = "x"\n'
        f'modes = ["default"]\n{body}\n',
        encoding="utf-8",
    )
    with pytest.raises(eco.EcosystemError, match=message):
        eco.load_ledger(path)


# --- keys and comparison ----------------------------------------------------------------------------


def test_keys_ignore_line_numbers_and_number_repeats() -> None:
    text = "import x\n\nfoo()\nfoo()\n"
    moved = "import x\n# a comment added above\n\n\nfoo()\nfoo()\n"
    first = eco.key_findings(
        "p", [("m.py", "MPL1", 3, 1, "m"), ("m.py", "MPL1", 4, 1, "m")], {"m.py": text}
    )
    second = eco.key_findings(
        "p", [("m.py", "MPL1", 6, 1, "m"), ("m.py", "MPL1", 5, 1, "m")], {"m.py": moved}
    )
    assert [o.key for o in first] == [o.key for o in second]
    assert [o.key.occurrence for o in first] == [1, 2]
    assert first[0].key.line == "foo()"


def test_source_line_uses_python_line_ends() -> None:
    assert eco.source_line("a\r\nb\rc\x0cd\n", 3) == "c\x0cd"
    assert eco.source_line("a\n", 9) == ""


def _key(line: str, project: str = "p") -> eco.Key:
    return eco.Key(project, "m.py", "MPL201", line)


def test_compare_reports_new_vanished_modes_and_untriaged() -> None:
    ledger = [
        eco.Entry(_key("same"), ("default", "preview"), "true", "a real bug"),
        eco.Entry(_key("gone"), ("default", "preview"), "false", "a false positive"),
        eco.Entry(_key("moved"), ("default", "preview"), "true", "a real bug"),
        eco.Entry(_key("pending"), ("preview",)),
        eco.Entry(_key("other", project="q"), ("default",), "true", "not run this time"),
    ]
    observed = {
        _key("same"): ("default", "preview"),
        _key("moved"): ("preview",),
        _key("pending"): ("preview",),
        _key("fresh"): ("default", "preview"),
    }
    result = eco.compare(ledger, observed, ["p"])
    assert result.new == [_key("fresh")]
    assert [e.key for e in result.vanished] == [_key("gone")]
    assert [(e.key, m) for e, m in result.modes_changed] == [(_key("moved"), ("preview",))]
    assert [e.key for e in result.untriaged] == [_key("pending")]
    assert result.failed
    clean = {_key("same"): ("preview", "default")}
    assert not eco.compare(ledger[:1], clean, ["p"]).failed


def test_update_keeps_verdicts_adds_untriaged_and_drops_vanished() -> None:
    ledger = [
        eco.Entry(_key("same"), ("default",), "true", "a real bug"),
        eco.Entry(_key("gone"), ("default",), "false", "a false positive"),
        eco.Entry(_key("other", project="q"), ("default",), "true", "not run this time"),
    ]
    observed = {_key("same"): ("default", "preview"), _key("fresh"): ("preview",)}
    merged = eco.updated_ledger(ledger, observed, ["p"])
    assert merged == [
        eco.Entry(_key("fresh"), ("preview",)),
        eco.Entry(_key("same"), ("default", "preview"), "true", "a real bug"),
        eco.Entry(_key("other", project="q"), ("default",), "true", "not run this time"),
    ]


def test_rule_table_counts_verdicts_per_mode() -> None:
    ledger = [
        eco.Entry(_key("a"), ("default", "preview"), "true", "a real bug"),
        eco.Entry(_key("b"), ("default", "preview"), "false", "a false positive"),
    ]
    observed = {
        _key("a"): ("default", "preview"),
        _key("b"): ("default", "preview"),
        eco.Key("p", "m.py", "MPL208", "c"): ("preview",),
    }
    default = eco.rule_table(ledger, observed, "default")
    assert "| MPL201 | 2 | 1 | 1 | 0 | 0 |" in default
    assert "MPL208" not in default
    preview = eco.rule_table(ledger, observed, "preview")
    assert "| MPL208 | 1 | 0 | 0 | 0 | 1 |" in preview
    assert "| **all** | **3** | **1** | **1** | **0** | **1** |" in preview


# --- extraction and an end-to-end run on a fake project ----------------------------------------------

_BAD = b"import multiprocessing\n\ndef work(x):\n    return x\n\npool = multiprocessing.Pool(2)\n"
_PLAIN = b"print('no multiprocessing here')\n"


def _sdist(path: Path) -> None:
    with tarfile.open(path, "w:gz") as tarred:
        for name, data in (
            ("fake-1.0/fake/bad.py", _BAD),
            ("fake-1.0/fake/plain.py", _PLAIN),
            ("fake-1.0/setup.cfg", b"[metadata]\n"),
            ("fake-1.0/../escape.py", _BAD),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tarred.addfile(info, io.BytesIO(data))


def test_extract_keeps_only_safe_python_members(tmp_path: Path) -> None:
    archive = tmp_path / "fake-1.0.tar.gz"
    _sdist(archive)
    target = tmp_path / "tree" / "fake"
    assert eco.extract_python(archive, target) == 2
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        "fake/bad.py",
        "fake/plain.py",
    ]
    wheel = tmp_path / "fake-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zipped:
        zipped.writestr("fake/bad.py", _BAD)
        zipped.writestr("fake-1.0.dist-info/METADATA", "Name: fake\n")
    assert eco.extract_python(wheel, tmp_path / "wheeltree") == 1
    assert (tmp_path / "wheeltree" / "fake" / "bad.py").read_bytes() == _BAD


def _fake_setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    cache = tmp_path / "cache"
    cache.mkdir()
    archive = cache / "fake-1.0.tar.gz"
    _sdist(archive)
    projects = tmp_path / "projects.toml"
    projects.write_text(
        '[[project]]\nname = "fake"\nversion = "1.0"\nkind = "application"\n'
        f'file = "fake-1.0.tar.gz"\nsha256 = "{eco.sha256_of(archive)}"\n'
        f"size = {archive.stat().st_size}\n",
        encoding="utf-8",
    )
    return cache, projects, tmp_path / "ledger.toml"


@pytest.mark.timeout(120)
def test_end_to_end_on_a_fake_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache, projects, ledger = _fake_setup(tmp_path)
    common = [
        "--cache-dir",
        str(cache),
        "--projects",
        str(projects),
        "--ledger",
        str(ledger),
        "--jobs",
        "2",
    ]
    # Nothing triaged yet: the finding is new.
    assert eco.main(["--check", *common]) == 1
    assert (
        "new: fake: fake/bad.py: MPL201: pool = multiprocessing.Pool(2)" in capsys.readouterr().out
    )
    # --update records it as untriaged; still a failure until a person judges it.
    assert eco.main(["--update", *common]) == 0
    entries = eco.load_ledger(ledger)
    assert [(e.key.path, e.key.code, e.verdict, e.modes) for e in entries] == [
        ("fake/bad.py", "MPL201", "untriaged", ("default", "preview"))
    ]
    capsys.readouterr()
    assert eco.main(["--check", *common]) == 1
    assert "untriaged: fake: fake/bad.py: MPL201" in capsys.readouterr().out
    # Judged: clean.
    entries[0].verdict, entries[0].reason = "true", "pool created at import time with no main guard"
    ledger.write_text(eco.dump_ledger(entries), encoding="utf-8")
    assert eco.main(common) == 0
    out = capsys.readouterr().out
    assert "| MPL201 | 1 | 1 | 0 | 0 | 0 |" in out and "no change against the ledger" in out
    # A ledger entry the run no longer produces is reported as vanished.
    ghost = eco.Entry(
        eco.Key("fake", "fake/plain.py", "MPL201", "x"), ("default",), "false", "gone now"
    )
    ledger.write_text(eco.dump_ledger([*entries, ghost]), encoding="utf-8")
    assert eco.main(["--check", *common]) == 1
    assert "vanished [false]: fake: fake/plain.py: MPL201: x" in capsys.readouterr().out
    # So is the entry of a project no longer listed; --update drops it.
    unlisted = eco.Entry(
        eco.Key("dropped", "d.py", "MPL201", "y"), ("default",), "true", "was a bug"
    )
    ledger.write_text(eco.dump_ledger([*entries, unlisted]), encoding="utf-8")
    assert eco.main(["--check", *common]) == 1
    assert "vanished [true]: dropped: d.py: MPL201: y" in capsys.readouterr().out
    assert eco.main(["--update", *common]) == 0
    assert eco.load_ledger(ledger) == entries


def test_a_wrong_checksum_is_a_setup_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache, projects, ledger = _fake_setup(tmp_path)
    (cache / "fake-1.0.tar.gz").write_bytes(b"tampered")
    code = eco.main(
        ["--check", "--cache-dir", str(cache), "--projects", str(projects), "--ledger", str(ledger)]
    )
    assert code == 2
    assert "sha256" in capsys.readouterr().err


def test_cache_dir_defaults_outside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(eco.CACHE_ENV, raising=False)
    assert not eco.cache_dir(None).is_relative_to(ROOT)
    monkeypatch.setenv(eco.CACHE_ENV, "/somewhere/else")
    assert eco.cache_dir(None) == Path("/somewhere/else")
    assert eco.cache_dir("/flag") == Path("/flag")


def test_the_runner_is_a_script() -> None:
    source = (ROOT / "benchmarks" / "ecosystem" / "run.py").read_text(encoding="utf-8")
    assert source.startswith('"""') and 'if __name__ == "__main__":' in source


class _Index:
    """A package index on localhost: a simple-API project page (JSON) and the files it lists."""

    def __init__(self, listing: dict[str, object], files: dict[str, bytes]) -> None:
        self.listing, self.files = listing, files
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                if self.path == "/simple/my-project/":
                    assert self.headers["Accept"] == eco.SIMPLE_JSON
                    body, kind = json.dumps(outer.listing).encode(), eco.SIMPLE_JSON
                elif self.path.startswith("/files/") and self.path[7:] in outer.files:
                    body, kind = outer.files[self.path[7:]], "application/octet-stream"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def archive_bytes(tmp_path: Path) -> bytes:
    _sdist(tmp_path / "made.tar.gz")
    return (tmp_path / "made.tar.gz").read_bytes()


def _project(data: bytes, file: str = "my_project-1.0.tar.gz") -> eco.Project:
    digest = hashlib.sha256(data).hexdigest()
    return eco.Project("My_Project", "1.0", "library", file, digest, len(data))


def test_fetch_downloads_the_pinned_file_from_the_index_once(
    tmp_path: Path, archive_bytes: bytes
) -> None:
    project = _project(archive_bytes)
    index = _Index(
        {
            "files": [
                {
                    "filename": project.file,
                    "url": "../../files/" + project.file,
                    "hashes": {"sha256": project.sha256},
                }
            ]
        },
        {project.file: archive_bytes},
    )
    try:
        archive, downloaded = eco.fetch(project, tmp_path / "cache", index.url)
        assert downloaded and archive.read_bytes() == archive_bytes
        assert index.requests == ["/simple/my-project/", "/files/" + project.file]
        # The second run reads the cache and checks its sha256; nothing is asked of the index.
        assert eco.fetch(project, tmp_path / "cache", index.url) == (archive, False)
        assert len(index.requests) == 2
        archive.write_bytes(archive_bytes + b"x")
        with pytest.raises(eco.EcosystemError, match="sha256"):
            eco.fetch(project, tmp_path / "cache", index.url)
    finally:
        index.close()


@pytest.mark.parametrize("problem", ["unlisted", "listed-hash", "served-bytes", "missing-file"])
def test_fetch_refuses_what_is_not_the_pinned_file(
    tmp_path: Path, archive_bytes: bytes, problem: str
) -> None:
    project = _project(archive_bytes)
    listed = {
        "filename": project.file,
        "url": "/files/" + project.file,
        "hashes": {"sha256": project.sha256},
    }
    files = {project.file: archive_bytes}
    if problem == "unlisted":
        listed["filename"] = "my_project-1.1.tar.gz"
    elif problem == "listed-hash":
        listed["hashes"] = {"sha256": "0" * 64}
    elif problem == "served-bytes":
        files = {project.file: archive_bytes + b"tampered"}
    else:
        files = {}
    index = _Index({"files": [listed]}, files)
    try:
        with pytest.raises(eco.EcosystemError) as raised:
            eco.fetch(project, tmp_path / "cache", index.url)
    finally:
        index.close()
    # The index answered (404, or the wrong file): a setup error, not an outage.
    assert not isinstance(raised.value, eco.Unreachable)
    # Nothing half-written is left for the next run to trust.
    assert not (tmp_path / "cache" / project.file).exists()
    assert not list((tmp_path / "cache").glob("*.part"))


def test_an_unreachable_index_is_told_apart(
    tmp_path: Path, archive_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens on the port: exit 3 (an outage), not 2 (a setup error)."""
    index = _Index({"files": []}, {})
    url = index.url
    index.close()
    with pytest.raises(eco.Unreachable):
        eco.fetch(_project(archive_bytes), tmp_path / "cache", url)
    projects = tmp_path / "projects.toml"
    project = _project(archive_bytes)
    projects.write_text(
        f'[[project]]\nname = "{project.name}"\nversion = "1.0"\nkind = "library"\n'
        f'file = "{project.file}"\nsha256 = "{project.sha256}"\nsize = {project.size}\n',
        encoding="utf-8",
    )
    ledger = tmp_path / "ledger.toml"
    ledger.write_text("", encoding="utf-8")
    monkeypatch.setenv(eco.INDEX_ENV, url)
    argv = ["--check", "--projects", str(projects), "--ledger", str(ledger)]
    assert eco.main([*argv, "--cache-dir", str(tmp_path / "cache")]) == 3
