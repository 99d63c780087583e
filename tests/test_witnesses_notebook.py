"""Runtime witnesses of the notebook rule: the checks their headers cannot say.

A ``notebook`` witness runs as a Jupyter kernel runs cells: its code executed in ``__main__``, which
has no ``__file__``. These tests hold that reproduction to what a kernel is, and the header grammar's
``notebook`` statement to what it promises.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .witness_support import NOTEBOOK_KERNEL, WITNESS_DIR, parse_header, witness_names

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX signals and process groups", allow_module_level=True)


def test_the_kernel_main_has_no_file_like_a_notebook() -> None:
    code = (
        "import __main__, multiprocessing.spawn as s\n"
        "print(hasattr(__main__, '__file__'), __main__.__name__)\n"
        "print(s.get_preparation_data('x').get('init_main_from_path'))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", NOTEBOOK_KERNEL],
        input=code,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # no file for a spawned child to run as its main module: it cannot define what the cells did
    assert run.stdout == "False __main__\nNone\n"


def test_notebook_witnesses_say_so() -> None:
    names = [name for name in witness_names() if name.startswith("MPL209_")]
    assert names == [
        "MPL209_bad.py",
        "MPL209_bad_pool.py",
        "MPL209_good.py",
        "MPL209_good_fork.py",
        "MPL209_good_set_fork.py",
    ]
    for name in names:
        assert parse_header(name, (WITNESS_DIR / name).read_text("utf-8")).notebook, name


def test_notebook_statement_parses() -> None:
    header = "# witness: notebook\n# witness: runs clean\n"
    assert parse_header("MPL101_good.py", header + '"""MPL101 x."""\n').notebook
    assert not parse_header("MPL101_good.py", '# witness: runs clean\n"""MPL101 x."""\n').notebook
