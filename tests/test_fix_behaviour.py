"""The reproductions of the fix audit: each program runs before and after ``mplint check --fix``, in a
subprocess with a timeout, and must behave the same after the fix or better (the bug gone).

"Better" is spelled out per case: the expected output after the fix, or only that the fixed program ends
where the original hung. A fix that makes a working program hang, or changes what it prints, fails.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import libcst as cst
import pytest

from mplint.rules._helpers import wrapping_block_text

from .conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the programs use POSIX signals")

#: Seconds a program may run; the reproductions finish in about one.
TIMEOUT = 20


@dataclass(frozen=True)
class Run:
    returncode: Optional[int]  # None: killed at the timeout
    stdout: str


@dataclass(frozen=True)
class Case:
    name: str
    code: str  # the rule whose fixes are applied
    program: str
    unsafe: bool = False
    newline: str = "\n"
    before: Run = Run(None, "")  # how the original ends (the default: it hangs)
    after: Optional[Run] = None  # how the fixed program ends (None: the same as before)
    fixed_contains: str = ""  # text the fix must write (what this Python cannot tell apart)
    fork_default: bool = False  # the original works only where fork is the default start method


def _write(path: Path, program: str, newline: str) -> None:
    text = textwrap.dedent(program).lstrip("\n")
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))


def _run(path: Path) -> Run:
    try:
        done = subprocess.run(
            [sys.executable, path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return Run(None, "")
    return Run(done.returncode, done.stdout)


def _fix(path: Path, code: str, unsafe: bool) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "mplint", "check", "--no-cache", "--fix", "--select", code]
    if unsafe:
        command.append("--unsafe-fixes")
    subprocess.run(
        [*command, path.name], cwd=path.parent, env=env, capture_output=True, timeout=120
    )
    return path.read_bytes().decode("utf-8")


CASES = [
    Case(
        name="MPL108_kill_escalation",
        code="MPL108",
        program="""
            import multiprocessing as mp, signal, time

            def stubborn():
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                while True:
                    time.sleep(0.1)

            def main():
                p = mp.Process(target=stubborn)
                p.start(); time.sleep(0.5)
                p.terminate()
                time.sleep(0.5)
                if p.is_alive():
                    p.kill()
                print("escalated")

            if __name__ == "__main__":
                mp.set_start_method("spawn"); main()
        """,
        before=Run(0, "escalated\n"),
    ),
    Case(
        name="MPL308_futures_timeout",
        code="MPL308",
        program="""
            import multiprocessing, time
            from concurrent.futures import ProcessPoolExecutor

            def main():
                with ProcessPoolExecutor(1) as executor:
                    fut = executor.submit(time.sleep, 2)
                    try:
                        fut.result(timeout=0.1)
                    except multiprocessing.TimeoutError:
                        print("timed out, handled")

            if __name__ == "__main__":
                main()
        """,
        before=Run(1, ""),
        after=Run(0, "timed out, handled\n"),
        # the builtin TimeoutError would pass here too, but not on Python 3.9 and 3.10
        fixed_contains="except (multiprocessing.TimeoutError, concurrent.futures.TimeoutError):",
    ),
    Case(
        name="MPL201_side_effect_above_the_offender",
        code="MPL201",
        unsafe=True,
        program="""
            import multiprocessing as mp

            def work(x):
                return x

            print("loading", flush=True)  # spawned children would print it again
            mp.set_start_method("spawn", force=True)
            with mp.Pool(2) as pool:
                print(sum(pool.map(work, range(50))))
        """,
        after=Run(0, "loading\n1225\n"),
    ),
    Case(
        name="MPL104_run_to_start_keeps_the_order",
        code="MPL104",
        unsafe=True,
        program="""
            import multiprocessing as mp
            import time

            def work(path):
                time.sleep(0.5)
                with open(path, "w") as handle:
                    handle.write("written by the target")

            def main():
                p = mp.Process(target=work, args=("out.txt",))
                p.run()
                with open("out.txt") as handle:
                    print(handle.read())

            if __name__ == "__main__":
                main()
        """,
        before=Run(0, "written by the target\n"),
        fixed_contains="p.start()\n    p.join()",
    ),
    Case(
        name="MPL201_crlf_string",
        fork_default=True,
        code="MPL201",
        newline="\r\n",
        program='''
            import multiprocessing as mp

            def sq(x):
                return x * x

            def main(note):
                with mp.Pool(2) as pool:
                    print(pool.map(sq, [1, 2]), repr(note))

            main("""a
            b""")
        ''',
        before=Run(0, "[1, 4] 'a\\nb'\n"),
    ),
    Case(
        name="MPL204_crlf_string",
        fork_default=True,
        code="MPL204",
        unsafe=True,
        newline="\r\n",
        program='''
            import multiprocessing as mp

            if __name__ == "__main__":  # the default start method on Linux (fork) runs it

                def describe(x):
                    return """value:
            {}""".format(x)

                with mp.Pool(2) as pool:
                    print(pool.map(describe, [1, 2]))
        ''',
        before=Run(0, "['value:\\n1', 'value:\\n2']\n"),
    ),
    Case(
        name="MPL201_crlf_continuation",
        fork_default=True,
        code="MPL201",
        unsafe=True,
        newline="\r\n",
        program="""
            import multiprocessing as mp

            def sq(x):
                return x * x

            pool = mp.Pool(2)
            total = sum(pool.map(sq, [1, 2])) + \\
                sum(pool.map(sq, [3]))

            print("total", total)
            pool.close()
        """,
        before=Run(0, "total 14\n"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fix_keeps_or_improves_behaviour(case: Case, tmp_path: Path) -> None:
    if case.fork_default and multiprocessing.get_all_start_methods()[0] != "fork":
        pytest.skip("the original program relies on fork being the default start method")
    path = tmp_path / "program.py"
    _write(path, case.program, case.newline)
    original = path.read_bytes()
    before = _run(path)
    assert before == case.before, before
    fixed = _fix(path, case.code, case.unsafe)
    assert fixed.encode("utf-8") != original, "no fix was applied: the case tests nothing"
    if case.newline == "\r\n":
        assert fixed.count("\r\n") == fixed.count("\n") == fixed.count("\r"), repr(fixed)
    assert case.fixed_contains in fixed
    after = _run(path)
    assert after == (case.after or case.before), f"after the fix:\n{fixed}\n{after}"


# --- the text of a wrapping block ------------------------------------------------------------------------


def _wrap(source: str, indent: str) -> Optional[str]:
    module = cst.parse_module(source)
    guard = cst.If(test=cst.parse_expression("flag"), body=cst.IndentedBlock(body=module.body))
    return wrapping_block_text(module, guard, indent)


def test_wrapping_block_text_writes_one_line_ending_and_empty_blank_lines() -> None:
    text = _wrap("a = 1\r\n\r\nb = 2\r\n", "")
    assert text == "if flag:\n    a = 1\n\n    b = 2"


def test_wrapping_block_text_moves_backslash_continuations_with_their_statement() -> None:
    text = _wrap("total = 1 + \\\n    2\nfor x in y:\n    z = x + \\\n        1\n", "")
    assert text == (
        "if flag:\n    total = 1 + \\\n        2\n    for x in y:\n        z = x + \\\n            1"
    )


def test_wrapping_block_text_keeps_a_string_and_refuses_to_indent_it() -> None:
    source = 'note = """a\r\n\r\n  b"""\r\n'
    assert _wrap(source, "") == 'if flag:\n    note = """a\n\n  b"""'
    assert _wrap(source, "    ") is None, "the engine would indent the string's lines"
    assert _wrap("x = (1,\n     2)\n", "    ") == "if flag:\n    x = (1,\n         2)"
