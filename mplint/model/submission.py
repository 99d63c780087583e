"""Submissions: the calls that hand a callable to another process or thread, how each hands it over
(:class:`Via`), and what it passes the callable (:func:`submission_sites`, :func:`handed_arguments`), read
from the call as written and, for a callable given through a parameter, from the call that bound it.

:mod:`~mplint.model.inference` finds the submissions (they and the kinds depend on each other); this
part only reads one."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.model.syntax import (
    call_argument,
    literal_elements,
    literal_items,
    literal_keywords,
    positional_args,
)

if TYPE_CHECKING:
    from mplint.kinds import Kind
    from mplint.model.names import Names
    from mplint.model.valueflow import CallSite, Dataflow


class Via(enum.Enum):
    """How a submission hands its callable over."""

    PROCESS = "process"  # ``Process(target=…)``
    THREAD = "thread"  # ``Thread(target=…)``
    RUN = "run"  # a Process or Thread subclass whose ``run()`` is the work
    INITIALIZER = "initializer"  # ``Pool(initializer=…)``, ``ProcessPoolExecutor(initializer=…)``
    POOL = "pool"  # a pool task method (``apply_async``, ``map`` …)
    EXECUTOR = "executor"  # ``submit``/``map`` of an executor, ``loop.run_in_executor``
    CALLBACK = "callback"  # ``callback=``/``error_callback=``, ``Future.add_done_callback``


@dataclass(frozen=True)
class Submission:
    """A call that hands a callable to another thread or process.

    ``via`` says how (:class:`Via`); ``owner`` is the kind of the Process/Pool/executor;
    ``callable`` the expression given; ``args`` the positional arguments the callable will receive when
    they are known element by element (``args=(a, b)``), else None. When the call names the callable
    through a parameter, a variable, an attribute or a container (``Process(target=target)`` in
    ``def run(target)``, called as ``run(serve)``), ``callable`` is what the value flow reached
    (``serve`` at the call of ``run``) and ``through`` the expression written at the call.
    """

    call: cst.Call
    via: Via
    owner: Kind
    callable: cst.BaseExpression
    args: Optional[tuple[cst.BaseExpression, ...]]
    through: Optional[cst.BaseExpression] = None
    #: When ``through`` is a parameter of the function making the submission: the call of that
    #: function that gave ``callable`` (its other arguments bind that function's other parameters).
    site: Optional[cst.Call] = None


def submission_sites(
    submission: Submission, names: Names, valueflow: Dataflow
) -> Optional[list[CallSite]]:
    """What a submission passes to its callable, per call of it: (positional arguments, whether they
    are all of them, keyword arguments or None when unknown). ``map``/``starmap`` over a list
    display or a comprehension give one site per item (or one for the comprehension's element).
    None for callbacks and ``run()``."""
    call = submission.call
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
    sites: Optional[list[tuple[list[cst.BaseExpression], Optional[dict[str, cst.BaseExpression]]]]]
    sites = None
    if submission.via in (Via.PROCESS, Via.THREAD):
        positional = literal_elements(
            valueflow.bound_at(call_argument(call, 3, "args"), submission.site)
        )
        keywords = literal_keywords(
            valueflow.bound_at(call_argument(call, 4, "kwargs"), submission.site)
        )
        sites = [(positional, keywords)] if positional is not None else None
    elif submission.via is Via.INITIALIZER:
        position = 3 if submission.owner.is_executor else 2
        positional = literal_elements(call_argument(call, position, "initargs"))
        sites = [(positional, {})] if positional is not None else None
    elif submission.via is Via.POOL and method in ("apply", "apply_async"):
        positional = literal_elements(
            valueflow.bound_at(call_argument(call, 1, "args"), submission.site)
        )
        keywords = literal_keywords(
            valueflow.bound_at(call_argument(call, 2, "kwds"), submission.site)
        )
        sites = [(positional, keywords)] if positional is not None else None
    elif submission.via is Via.EXECUTOR and method == "submit":
        if not any(a.star for a in call.args):
            positional = [a.value for a in positional_args(call)[1:]]
            keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
            sites = [(positional, keywords)]
    elif submission.via in (Via.POOL, Via.EXECUTOR):
        arguments = positional_args(call)
        if len(arguments) == 2 or (len(arguments) > 2 and submission.via is Via.POOL):
            items = literal_items(arguments[1].value)
            if items is not None and method in ("starmap", "starmap_async"):
                unpacked = [literal_elements(item) if item is not None else None for item in items]
                if all(u is not None for u in unpacked):
                    sites = [(u, {}) for u in unpacked if u is not None]
            elif items is not None:
                sites = [([item], {}) for item in items if item is not None]
                if len(sites) != len(items):
                    sites = None
    elif submission.via not in (Via.POOL, Via.EXECUTOR):
        return None
    bound: list[cst.BaseExpression] = []
    bound_keywords: dict[str, cst.BaseExpression] = {}
    callable_ = submission.callable
    if isinstance(callable_, cst.Call) and names.qualname(callable_.func) == "functools.partial":
        if any(a.star for a in callable_.args):
            return None
        bound = [a.value for a in callable_.args[1:] if a.keyword is None]
        bound_keywords = {a.keyword.value: a.value for a in callable_.args if a.keyword is not None}
    if sites is None:
        return [(bound, False, bound_keywords or None)]
    return [
        (
            [*bound, *positional],
            True,
            {**keywords, **bound_keywords} if keywords is not None else None,
        )
        for positional, keywords in sites
    ]


def handed_arguments(
    submission: Submission, names: Names, valueflow: Dataflow
) -> list[cst.BaseExpression]:
    """The argument expressions a submission sends to the child, as far as they are spelled out:
    the items of ``args=``/``kwargs=``, of ``apply_async``'s ``args``/``kwds``, ``submit``'s
    arguments, ``functools.partial`` arguments, ``initargs``, the items of ``map()``/``starmap()``
    over a display or a comprehension, and the constructor arguments of a Process subclass.
    Nothing for callbacks (they run in the parent)."""
    if submission.via is Via.CALLBACK:
        return []
    if submission.via is Via.RUN:
        return [a.value for a in submission.call.args if not a.star]
    out: list[cst.BaseExpression] = []
    for positional, _, keywords in submission_sites(submission, names, valueflow) or []:
        for expr in (*positional, *(keywords or {}).values()):
            if not any(expr is seen for seen in out):
                out.append(expr)
    return out
