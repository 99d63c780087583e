"""MPL402's judgement of timing: when the parent runs while its children run (``_running_children``),
and which stores of one shared object meet."""

from __future__ import annotations

import libcst as cst

from mplint.model import Model
from mplint.rules._running_children import RunningChildren, Span
from mplint.rules.nonatomic_shared_update import _slot

from ..model.support import call_node, def_named, model_of, submission_by


def _update(model: Model, text: str, nth: int = 0) -> cst.AugAssign:
    found = [
        n
        for n in model.tree.nodes_of(cst.AugAssign)
        if model.module.code_for_node(n).strip() == text
    ]
    assert len(found) > nth, text
    return found[nth]


def _during(model: Model, running: RunningChildren, update: cst.CSTNode, submitted: str) -> bool:
    places = running.parent_places(update)
    threads = running.parent_thread_spans(places)
    return running.runs_during(places, threads, submission_by(model, submitted))


PROCESS = """
from multiprocessing import Process, Value

def work(v):
    v.value += 1

def join_all(procs):
    for p in procs:
        p.join()

def main():
    v = Value('i', 0)
    v.value += 10
    p = Process(target=work, args=(v,))
    p.start()
    v.value += 20
    p.join()
    v.value += 30

def helper_joins():
    v = Value('i', 0)
    q = Process(target=work, args=(v,))
    q.start()
    v.value += 40
    join_all([q])
    v.value += 50
"""


def test_a_process_runs_from_start_to_the_first_wait() -> None:
    model = model_of(PROCESS)
    running = RunningChildren(model)
    main = def_named(model, "main")
    start = call_node(model, "p.start()")
    join = call_node(model, "p.join()", 1)  # the first is join_all's
    submission = submission_by(model, "Process(target=work, args=(v,))")
    assert running.child_spans(submission) == [
        Span(main, model.tree.end[start], model.tree.order[join])
    ]
    assert not _during(
        model, running, _update(model, "v.value += 10"), "Process(target=work, args=(v,))"
    )
    assert _during(
        model, running, _update(model, "v.value += 20"), "Process(target=work, args=(v,))"
    )
    assert not _during(
        model, running, _update(model, "v.value += 30"), "Process(target=work, args=(v,))"
    )


def test_a_helper_that_joins_ends_the_span() -> None:
    model = model_of(PROCESS)
    running = RunningChildren(model)
    other = "Process(target=work, args=(v,))"
    second = next(s for s in model.submissions() if s.call is call_node(model, other, 1))
    helper = call_node(model, "join_all([q])")
    (span,) = running.child_spans(second)
    assert span.end == model.tree.order[helper]
    assert running.runs_during(running.parent_places(_update(model, "v.value += 40")), [], second)
    assert not running.runs_during(
        running.parent_places(_update(model, "v.value += 50")), [], second
    )


def test_a_span_open_at_the_end_of_its_function_goes_on_in_the_callers() -> None:
    model = model_of(
        """
        from multiprocessing import Process, Value

        def work(v):
            v.value += 1

        class Runner:
            def __init__(self):
                self.v = Value('i', 0)

            def launch(self):
                self.p = Process(target=work, args=(self.v,))
                self.p.start()

            def bump(self):
                self.v.value += 1

            def run(self):
                self.bump()
                self.launch()
                self.bump()
                self.p.join()
                self.bump()
        """
    )
    running = RunningChildren(model)
    submission = submission_by(model, "Process(target=work, args=(self.v,))")
    spans = running.child_spans(submission)
    run = def_named(model, "run")
    assert (
        Span(
            run,
            model.tree.end[call_node(model, "self.launch()")],
            model.tree.order[call_node(model, "self.p.join()")],
        )
        in spans
    )
    places = running.parent_places(_update(model, "self.v.value += 1"))
    bumps = [call_node(model, "self.bump()", n) for n in range(3)]
    assert [(scope, position) for scope, position in places if scope is run] == [
        (run, model.tree.order[b]) for b in bumps
    ]
    assert running.runs_during(places, [], submission)


def test_pool_tasks_run_while_their_results_are_consumed() -> None:
    model = model_of(
        """
        from multiprocessing import Pool

        def task(x):
            return x

        def main(items):
            with Pool() as pool:
                for r in pool.imap_unordered(task, items):
                    print(r)
                total = list(pool.imap(task, items))
                pending = pool.map_async(task, items)
                print(total)
                pending.get()
                print(pending)
            print(items)
        """
    )
    running = RunningChildren(model)
    main = def_named(model, "main")
    loop = next(n for n in model.tree.order if isinstance(n, cst.For))
    imap_unordered = call_node(model, "pool.imap_unordered(task, items)")
    imap = call_node(model, "pool.imap(task, items)")
    consumer = call_node(model, "list(pool.imap(task, items))")
    map_async = call_node(model, "pool.map_async(task, items)")
    get = call_node(model, "pending.get()")
    assert running.child_spans(submission_by(model, "pool.imap_unordered(task, items)")) == [
        Span(main, model.tree.end[imap_unordered], model.tree.end[loop])
    ]
    assert running.child_spans(submission_by(model, "pool.imap(task, items)")) == [
        Span(main, model.tree.order[imap], model.tree.end[consumer])
    ]
    assert running.child_spans(submission_by(model, "pool.map_async(task, items)")) == [
        Span(main, model.tree.end[map_async], model.tree.order[get])
    ]


def test_a_thread_of_the_parent_runs_from_its_start_to_its_join() -> None:
    model = model_of(
        """
        import threading
        from multiprocessing import Process, Value

        def work(v):
            v.value += 1

        def monitor(v):
            v.value += 2

        def main():
            v = Value('i', 0)
            t = threading.Thread(target=monitor, args=(v,))
            p = Process(target=work, args=(v,))
            t.start()
            t.join()
            p.start()
            p.join()

        def overlapping():
            w = Value('i', 0)
            t = threading.Thread(target=monitor, args=(w,))
            p = Process(target=work, args=(w,))
            p.start()
            t.start()
            p.join()
            t.join()
        """
    )
    running = RunningChildren(model)
    update = _update(model, "v.value += 2")
    places = running.parent_places(update)
    threads = running.parent_thread_spans(places)
    assert len(threads) == 2
    first = submission_by(model, "Process(target=work, args=(v,))")
    second = submission_by(model, "Process(target=work, args=(w,))")
    assert not running.runs_during(places, threads, first)
    assert running.runs_during(places, threads, second)


def test_slots() -> None:
    model = model_of(
        """
        def f(v, d, ns, k):
            v.value += 1
            d['a'] += 1
            d[0] += 1
            d[k] += 1
            ns.total += 1
        """
    )
    assert [_slot(n.target) for n in model.tree.nodes_of(cst.AugAssign)] == [
        "value",
        "'a'",
        "0",
        None,
        "total",
    ]


def test_results_kept_in_a_variable_are_consumed_by_a_later_loop() -> None:
    model = model_of(
        """
        from concurrent.futures import ProcessPoolExecutor

        def task(x):
            return x

        def main(items):
            with ProcessPoolExecutor() as ex:
                results = ex.map(task, items)
                print(items)
                for r in results:
                    print(r)
                print(items)
        """
    )
    running = RunningChildren(model)
    main = def_named(model, "main")
    call = call_node(model, "ex.map(task, items)")
    loop = next(n for n in model.tree.order if isinstance(n, cst.For))
    assert running.child_spans(submission_by(model, "ex.map(task, items)")) == [
        Span(main, model.tree.end[call], model.tree.end[loop])
    ]
