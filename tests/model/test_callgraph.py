"""The call graph and bounded reachability (:mod:`mplint.model.callgraph`)."""

from __future__ import annotations

import libcst as cst

from .support import model_of


def test_guard_reachable_and_global_reads() -> None:
    model = model_of(
        "CONFIG = {}\n"
        "def helper(): return CONFIG\n"
        "def main():\n"
        "    helper()\n"
        "def unused(): pass\n"
        "def reader(x):\n"
        "    local = 1\n"
        "    return [CONFIG[k] for k in x] + [local, len(x)]\n"
        "if __name__ == '__main__':\n"
        "    main()\n",
        path="case.py",
        dedent=False,
    )
    reached = {
        f.name.value for f in model.callgraph.guard_reachable if isinstance(f, cst.FunctionDef)
    }
    assert reached == {"main", "helper"}
    assert set(model.names.global_reads(model.names.functions["reader"])) == {"CONFIG"}
