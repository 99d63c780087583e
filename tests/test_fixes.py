"""Fixes: applied to a fixed point, verified before writing, written byte-exactly and atomically."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import libcst as cst
import pytest

from mplint.config import Config
from mplint.diagnostics import Applicability
from mplint.fixes import apply_edits, fix_source
from mplint.rule import InsertBefore, LintRule, Replace, ReplaceLines, Valid
from mplint.source import SourceError, read_source, write_source

from .conftest import ROOT

BUGGY = textwrap.dedent(
    """\
    import multiprocessing as mp

    def work():
        pass

    def main():
        p = mp.Process(target=work)
        p.start()
        p.daemon = True  # keep
        pool = mp.Pool(2)
        pool.join()
    """
)
FIXED = textwrap.dedent(
    """\
    import multiprocessing as mp

    def work():
        pass

    def main():
        p = mp.Process(target=work)
        p.daemon = True  # keep
        p.start()
        pool = mp.Pool(2)
        pool.close()
        pool.join()
    """
)


def mplint(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "mplint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        check=False,
    )


def test_fix_source_reaches_a_fixed_point() -> None:
    result = fix_source("x.py", BUGGY, Config())
    assert result.error is None
    assert result.text == FIXED
    assert sorted(d.code for d in result.applied) == ["MPL105", "MPL302"]
    assert result.remaining == []
    again = fix_source("x.py", result.text, Config())
    assert again.text == result.text and not again.applied


def test_apply_edits_rejects_overlaps() -> None:
    from mplint.diagnostics import Edit

    text = "abcdef\n"
    assert apply_edits(text, [Edit(1, 2, 1, 4, "XY"), Edit(1, 5, 1, 5, "!")]) == "aXYd!ef\n"
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits(text, [Edit(1, 2, 1, 4, "X"), Edit(1, 3, 1, 5, "Y")])


@pytest.mark.parametrize(
    ("prefix", "newline"), [(b"", b"\n"), (b"\xef\xbb\xbf", b"\r\n"), (b"\xef\xbb\xbf", b"\n")]
)
def test_cli_fix_keeps_bom_newlines_and_mode(tmp_path: Path, prefix: bytes, newline: bytes) -> None:
    path = tmp_path / "job.py"
    path.write_bytes(prefix + BUGGY.encode().replace(b"\n", newline))
    path.chmod(0o640)
    result = mplint("check", "--fix", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_bytes() == prefix + FIXED.encode().replace(b"\n", newline)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["job.py"], "no temporary file left behind"


def test_cli_fix_keeps_latin1_with_cookie(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    source = "# -*- coding: latin-1 -*-\n" + BUGGY.replace("pass", "s = 'caf\u00e9'")
    path.write_bytes(source.encode("latin-1"))
    result = mplint("check", "--fix", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    data = path.read_bytes()
    assert b"caf\xe9" in data and b"pool.close()" in data
    data.decode("latin-1")


def test_diff_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "job.py"
    path.write_text(BUGGY)
    result = mplint("check", "--diff", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "\n+    pool.close()\n" in result.stdout
    assert "\n-    p.daemon = True  # keep\n" in result.stdout
    assert path.read_text() == BUGGY


def test_stdin_fix_prints_the_fixed_code(tmp_path: Path) -> None:
    result = mplint("check", "--fix", "-", "--stdin-filename", "job.py", cwd=tmp_path, stdin=BUGGY)
    assert result.stdout == FIXED
    assert result.returncode == 0
    assert not list(tmp_path.iterdir())


def test_read_only_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "job.py"
    path.write_text(BUGGY)
    path.chmod(0o444)
    result = mplint("check", "--fix", str(path), cwd=tmp_path)
    assert path.read_text() == BUGGY
    assert result.returncode == 1
    assert "read-only" in result.stdout


def test_file_changed_since_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "job.py"
    path.write_text(BUGGY)
    source = read_source(str(path))
    path.write_text(BUGGY + "# edited meanwhile\n")
    with pytest.raises(SourceError, match="changed on disk"):
        write_source(source, FIXED)
    assert path.read_text().endswith("# edited meanwhile\n")


class _TestRule(LintRule):
    """## What it does\nTest rule.\n\n## Why is this bad?\n`Error`\n\n## Example\n\nUse instead:\n\n## Fix safety\nx"""

    MESSAGE = "m"
    FIX = "safe"
    VALID: ClassVar[list[Valid]] = []


class _BreaksSyntax(_TestRule):
    CODE = "MPL991"
    NAME = "breaks-syntax"

    def visit_Call(self, node: cst.Call) -> None:
        if self.code_for(node) == "mp.Pool(2)":
            self.report(node, fix=self.fix(Applicability.SAFE, Replace(node, "mp.Pool(2")))


class _UndefinedName(_TestRule):
    CODE = "MPL992"
    NAME = "undefined-name"

    def visit_Call(self, node: cst.Call) -> None:
        if self.code_for(node) == "mp.Pool(2)":
            self.report(node, fix=self.fix(Applicability.SAFE, Replace(node, "Pool(2)")))


class _NeverConverges(_TestRule):
    CODE = "MPL993"
    NAME = "never-converges"

    def visit_Call(self, node: cst.Call) -> None:
        code = self.code_for(node)
        if code.startswith("mp.Pool("):  # adds one more space every time: never settles
            spaced = code.replace("mp.Pool(", "mp.Pool( ", 1)
            self.report(node, fix=self.fix(Applicability.SAFE, Replace(node, spaced)))


class _DoesNotCompile(_TestRule):
    CODE = "MPL994"
    NAME = "does-not-compile"

    def visit_Call(self, node: cst.Call) -> None:
        # libcst keeps string escapes as written; ast.parse rejects an unknown character name.
        if self.code_for(node) == "mp.Pool(2)":
            fixed = 'mp.Pool("\\N{NO SUCH CHARACTER NAME}")'
            self.report(node, fix=self.fix(Applicability.SAFE, Replace(node, fixed)))


class _NotIdempotent(_TestRule):
    CODE = "MPL995"
    NAME = "not-idempotent"

    def visit_Call(self, node: cst.Call) -> None:
        code = self.code_for(node)
        if code == "mp.Pool(2)":
            self.report(node, fix=self.fix(Applicability.SAFE, Replace(node, "mp.Pool(3)")))
        elif code == "mp.Pool(3)":
            # another report whose fix, applied, changes nothing: the result is not a fixed point
            fix = self.fix(Applicability.SAFE, Replace(node, code))
            self.report(node, message="again", fix=fix)


class _LeavesItsDiagnostic(_TestRule):
    CODE = "MPL996"
    NAME = "leaves-its-diagnostic"

    def visit_Call(self, node: cst.Call) -> None:
        code = self.code_for(node)
        if code == "mp.Pool(2)":
            self.report(node, fix=self.fix(Applicability.SAFE, Replace(node, "mp.Pool(2, None)")))
        elif code == "mp.Pool(2, None)":
            self.report(node)  # the same diagnostic, now without a fix


class _UnusedImport(_TestRule):
    CODE = "MPL997"
    NAME = "unused-import"

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if self.code_for(node).strip() == "pool = mp.Pool(2)":
            edits = (InsertBefore(node, "import json"), Replace(node.body[0], "pool = mp.Pool(3)"))
            self.report(node, fix=self.fix(Applicability.SAFE, *edits))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (_BreaksSyntax, "the fixed code does not parse"),
        (_DoesNotCompile, "the fixed code does not compile"),
        (_NotIdempotent, "the fixes are not idempotent"),
        (_LeavesItsDiagnostic, "re-linting still shows MPL996 after its fix"),
        (_UndefinedName, "undefined name 'Pool'"),
        (_UnusedImport, "unused import 'json'"),
        (_NeverConverges, "did not converge"),
    ],
)
def test_unsound_fixes_are_not_applied(
    rule: type[LintRule], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mplint.engine

    monkeypatch.setattr(mplint.engine, "rules_for", lambda path, config: [rule])
    result = fix_source("x.py", BUGGY, Config())
    assert result.text == BUGGY
    assert result.error is not None and message in result.error, result.error
    assert not result.applied
    assert [d.code for d in result.remaining] == [rule.CODE], "the original's diagnostics remain"


def test_diff_of_a_file_without_final_newline() -> None:
    from mplint.runner import unified_diff

    diff = unified_diff("job.py", "a\nb", "a\nc")
    assert diff.splitlines()[:2] == ["--- a/job.py", "+++ b/job.py"]
    assert diff.endswith("+c\n\\ No newline at end of file\n")
    assert unified_diff("/abs/job.py", "a\n", "b\n").startswith(
        "--- /abs/job.py\n+++ /abs/job.py\n"
    )


# --- what a fix must not change (mplint.meaning) -------------------------------------------------------


def _statement(node: cst.SimpleStatementLine, code: str) -> bool:
    return isinstance(node, cst.SimpleStatementLine) and code.strip() == "pool = mp.Pool(2)"


class _TwoLines(_TestRule):
    """A fix whose text holds a CRLF line break (as libcst writes a CRLF module's nodes)."""

    CODE = "MPL981"
    NAME = "two-lines"

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if _statement(node, self.code_for(node)):
            text = "pool = mp.Pool(3)\r\npool.close()"
            self.report(node, fix=self.fix(Applicability.SAFE, Replace(node.body[0], text)))


class _WrapChangesACopy(_TestRule):
    """Wraps two module-level statements under a main guard, with a blank line slipped into the string
    it copies."""

    CODE = "MPL982"
    NAME = "wrap-changes-a-copy"

    def visit_Module(self, node: cst.Module) -> None:
        first, last = node.body[-2], node.body[-1]
        if _statement(last, self.code_for(last)):  # type: ignore[arg-type]
            text = 'if __name__ == "__main__":\n    NOTE = """a\n\nb"""\n    pool = mp.Pool(3)'
            fix = self.fix(Applicability.UNSAFE, ReplaceLines(first, last, text))
            self.report(last, fix=fix)


class _SwallowsTheNextLine(_TestRule):
    """Ends the line with a backslash: the next, untouched statement becomes part of this one."""

    CODE = "MPL983"
    NAME = "swallows-the-next-line"

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if _statement(node, self.code_for(node)):
            fixed = "pool = mp.Pool(2) + \\"
            self.report(node, fix=self.fix(Applicability.SAFE, Replace(node.body[0], fixed)))


class _ReindentsAString(_TestRule):
    """Wraps a block in ``with``, re-indenting the second line of a multi-line string it copies."""

    CODE = "MPL984"
    NAME = "reindents-a-string"

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        body = list(node.body)
        for first, last in zip(body, body[1:]):
            if _statement(first, self.code_for(first)):  # type: ignore[arg-type]
                text = 'with mp.Pool(2) as pool:\n    print(  # wrapped\n        """a\n    b""")'
                fix = self.fix(Applicability.UNSAFE, ReplaceLines(first, last, text))
                self.report(first, fix=fix)


class _NeedsMatch(_TestRule):
    CODE = "MPL985"
    NAME = "needs-match"

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if _statement(node, self.code_for(node)):
            edits = (
                InsertBefore(node, "match 2:\n    case _:\n        pass"),
                Replace(node.body[0], "pool = mp.Pool(3)"),
            )
            self.report(node, fix=self.fix(Applicability.SAFE, *edits))


class _NeedsAnext(_TestRule):
    CODE = "MPL986"
    NAME = "needs-anext"

    def visit_Call(self, node: cst.Call) -> None:
        if self.code_for(node) == "mp.Pool(2)":
            fix = self.fix(Applicability.SAFE, Replace(node, "mp.Pool(2 if anext else 3)"))
            self.report(node, fix=fix)


class _CatchesBareTimeoutError(_TestRule):
    CODE = "MPL987"
    NAME = "catches-bare-timeout-error"

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.type is not None and self.code_for(node.type) == "mp.TimeoutError":
            fixed = "(mp.TimeoutError, TimeoutError)"
            self.report(node.type, fix=self.fix(Applicability.SAFE, Replace(node.type, fixed)))


CRLF_BUGGY = BUGGY.replace("\n", "\r\n")
MODULE_LEVEL = 'import multiprocessing as mp\n\nNOTE = """a\nb"""\npool = mp.Pool(2)\n'
STRING_AFTER = 'import multiprocessing as mp\n\n\ndef main():\n    pool = mp.Pool(2)\n    print(\n        """a\n    b""")\n'
FUTURES = textwrap.dedent(
    """\
    import multiprocessing as mp
    from concurrent.futures import ThreadPoolExecutor

    def main():
        with ThreadPoolExecutor() as ex:
            try:
                ex.submit(print).result(timeout=1)
            except mp.TimeoutError:
                pass
    """
)


@pytest.mark.parametrize(
    ("rule", "text", "message"),
    [
        (
            _WrapChangesACopy,
            MODULE_LEVEL,
            "changes the Assign statement at line 4, a copy of line 3",
        ),
        (_SwallowsTheNextLine, BUGGY, "the statement at line 11 of the original is not the same"),
        (_ReindentsAString, STRING_AFTER, "changes the constant at line 7 ('a\\n        b')"),
        (_NeedsMatch, BUGGY, "uses syntax that Python 3.9 (no target-version set) does not have"),
        (_NeedsAnext, BUGGY, "the builtin 'anext', new in Python 3.10; the target is Python 3.9"),
        (_CatchesBareTimeoutError, FUTURES, "before Python 3.11 is not the timeout of"),
    ],
)
def test_fixes_that_change_meaning_are_not_applied(
    rule: type[LintRule], text: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mplint.engine

    monkeypatch.setattr(mplint.engine, "rules_for", lambda path, config: [rule])
    result = fix_source("x.py", text, Config(), unsafe=True)
    assert result.text == text
    assert result.error is not None and message in result.error, result.error
    assert not result.applied
    assert [d.code for d in result.remaining] == [rule.CODE]


@pytest.mark.parametrize("text", [BUGGY, CRLF_BUGGY])
def test_fix_text_gets_the_files_line_endings(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import mplint.engine

    monkeypatch.setattr(mplint.engine, "rules_for", lambda path, config: [_TwoLines])
    result = fix_source("x.py", text, Config())
    assert result.error is None, result.error
    newline = "\r\n" if "\r\n" in text else "\n"
    expected = f"pool = mp.Pool(3){newline}    pool.close(){newline}"
    assert expected in result.text
    assert result.text.count("\r") == text.count("\r") + (newline == "\r\n")


def test_foreign_line_endings_are_not_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    """The indenting as it was (split at LF, joined with the file's CRLF) wrote CR CR LF."""
    import mplint.edits
    import mplint.engine

    def old_indent(text: str, indent: str, newline: str) -> str:
        lines = text.split("\n")
        return newline.join([lines[0], *[(indent + line) if line else line for line in lines[1:]]])

    monkeypatch.setattr(mplint.edits, "_indent_following_lines", old_indent)
    monkeypatch.setattr(mplint.engine, "rules_for", lambda path, config: [_TwoLines])
    result = fix_source("x.py", CRLF_BUGGY, Config())
    assert result.text == CRLF_BUGGY and not result.applied
    assert result.error is not None
    assert "line endings the file does not use (1 \\r; the file uses \\r\\n)" in result.error


@pytest.mark.parametrize(
    ("rule", "text", "target"),
    [
        (_NeedsMatch, BUGGY, "py310"),
        (_NeedsAnext, BUGGY, "py310"),
        (_CatchesBareTimeoutError, FUTURES, "py311"),
    ],
)
def test_version_checks_follow_the_target(
    rule: type[LintRule], text: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mplint.engine

    monkeypatch.setattr(mplint.engine, "rules_for", lambda path, config: [rule])
    result = fix_source("x.py", text, Config(target_version=target), unsafe=True)
    assert result.error is None, result.error
    assert [d.code for d in result.applied] == [rule.CODE]


def test_moving_and_wrapping_copied_code_unchanged_is_accepted() -> None:
    """The copies a fix makes may be re-indented (a wrap) and may move; unchanged, they pass."""
    from mplint.fixes import verify

    original = 'import multiprocessing as mp\n\nNOTE = """a\nb"""\nmain(1, "x")\n'
    wrapped = 'import multiprocessing as mp\n\nif __name__ == "__main__":\n    NOTE = """a\nb"""\n    main(1, "x")\n'
    passes = [(original, [(30, len(original), wrapped[30:])])]
    assert verify("x.py", original, wrapped, [], [], Config(), False, passes=passes) is None
    # re-indenting the string's second line too changes its value
    reindented = wrapped.replace("\nb", "\n    b")
    passes = [(original, [(30, len(original), reindented[30:])])]
    problem = verify("x.py", original, reindented, [], [], Config(), False, passes=passes)
    assert problem is not None and "a copy of line 3" in problem


GOLDENS = sorted((ROOT / "tests" / "fixtures").glob("*.fixed.py"))


@pytest.mark.parametrize("golden", GOLDENS, ids=[golden.name for golden in GOLDENS])
def test_fixture_fixes_on_crlf_files_keep_crlf(golden: Path) -> None:
    """Every fixture's fixes, on the fixture saved with CRLF line endings: the golden, with CRLF."""
    source = golden.with_name(golden.name.replace(".fixed.py", ".py"))
    text = source.read_text(encoding="utf-8").replace("\n", "\r\n")
    config = Config(select=(source.name[:6],), preview=True)
    result = fix_source(str(source), text, config, unsafe=True)
    assert result.error is None, result.error
    assert result.text == golden.read_text(encoding="utf-8").replace("\n", "\r\n")


def test_audit_crlf_reproduction_prints_the_same_after_fix(tmp_path: Path) -> None:
    """fix-audit-2026-12, MPL201 on a CRLF file: the safe main-guard wrap of a call with a multi-line
    string wrote CR CR LF, and the program printed 'a\\n\\nb' instead of 'a\\nb'."""
    source = textwrap.dedent(
        '''\
        import multiprocessing as mp

        def sq(x):
            return x * x

        def main(note):
            with mp.Pool(2) as pool:
                print(pool.map(sq, [1, 2]), repr(note))

        main("""a
        b""")
        '''
    )
    path = tmp_path / "job.py"
    path.write_bytes(source.replace("\n", "\r\n").encode())

    def run() -> str:
        done = subprocess.run(
            [sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=True
        )
        return done.stdout

    before = run()
    assert before == "[1, 4] 'a\\nb'\n"
    result = mplint("check", "--fix", "--no-cache", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    data = path.read_bytes()
    assert b'if __name__ == "__main__":\r\n    main("""a\r\nb""")\r\n' in data
    assert b"\r\r" not in data
    assert run() == before
