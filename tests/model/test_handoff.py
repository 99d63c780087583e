"""What a worker does with the objects it is handed (:mod:`mplint.model.handoff`)."""

from __future__ import annotations

import libcst as cst

from .support import WORKERS, call_node, model_of, name_node, source_of, submission_by


def test_worker_keys_follow_arguments_into_helpers() -> None:
    model = model_of(WORKERS)
    submission = submission_by(model, "mp.Process(target=producer, args=(results, 3))")
    keys = model.handoff.worker_keys(submission, 0)
    names = {(getattr(k[0], "name", None) and k[0].name.value, k[1]) for k in keys}  # type: ignore[attr-defined]
    assert names == {("producer", "results"), ("emit", "out")}
    assert model.handoff.worker_keys(submission, 5) == []


def test_worker_calls_through_arguments_subclasses_globals_and_closures() -> None:
    model = model_of(WORKERS)
    results = name_node(model, "results", 6)  # main's variable
    assert model.binding_key(results)[1] == "results"  # type: ignore[index]
    by_args = submission_by(model, "mp.Process(target=producer, args=(results, 3))")
    puts = model.handoff.worker_calls(by_args, results, ("put",))
    assert [source_of(model, c) for c in puts] == ["out.put(x)"]
    assert [
        source_of(model, c) for c in model.handoff.worker_calls(by_args, results, ("close",))
    ] == ["results.close()"]
    subclass = submission_by(model, 'Writer(results, "w")')
    assert [
        source_of(model, c) for c in model.handoff.worker_calls(subclass, results, ("put",))
    ] == ["self.sink.put(self.label)"]
    closure = submission_by(model, "mp.Process(target=closure)")
    assert [
        source_of(model, c) for c in model.handoff.worker_calls(closure, results, ("put",))
    ] == ['results.put("closure")']
    uses_global = submission_by(model, "mp.Process(target=uses_global)")
    shared = call_node(model, "shared.get()").func
    assert isinstance(shared, cst.Attribute)
    assert [
        source_of(model, c) for c in model.handoff.worker_calls(uses_global, shared.value, ("put",))
    ] == ["shared.put(1)"]
    # the producer never touches the global
    assert model.handoff.worker_calls(by_args, shared.value, ("put",)) == []
    assert model.handoff.passes_object(by_args, results)
    assert not model.handoff.passes_object(uses_global, results)


def test_submitted_arguments_include_partial_and_constructor_arguments() -> None:
    model = model_of(
        """
        import functools, multiprocessing as mp
        def work(q, x): q.put(x)
        def main(q):
            with mp.Pool(2) as pool:
                pool.map(functools.partial(work, q), range(3))
        """
    )
    submission = submission_by(model, "pool.map(functools.partial(work, q), range(3))")
    assert [source_of(model, a) for a in model.handoff.submitted_arguments(submission)] == ["q"]
    q = name_node(model, "q", 3)
    assert [source_of(model, c) for c in model.handoff.worker_calls(submission, q, ("put",))] == [
        "q.put(x)"
    ]


def test_keyword_arguments_reach_the_worker() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(n, out=None):
            out.put(n)
        class Sink(mp.Process):
            def __init__(self, q=None):
                super().__init__()
                self.q = q
            def run(self):
                self.q.put(1)
        def main():
            q = mp.Queue()
            p = mp.Process(target=work, args=(1,), kwargs={"out": q})
            s = Sink(q=q)
            with mp.Pool(2) as pool:
                pool.apply_async(work, (2,), {"out": q})
            return q
        """
    )
    q = name_node(model, "q", 4)
    process = submission_by(model, 'mp.Process(target=work, args=(1,), kwargs={"out": q})')
    assert set(model.handoff.submitted_keywords(process)) == {"out"}
    assert [source_of(model, c) for c in model.handoff.worker_calls(process, q, ("put",))] == [
        "out.put(n)"
    ]
    assert model.handoff.passes_object(process, q)
    sink = submission_by(model, "Sink(q=q)")
    assert [source_of(model, c) for c in model.handoff.worker_calls(sink, q, ("put",))] == [
        "self.q.put(1)"
    ]
    task = submission_by(model, 'pool.apply_async(work, (2,), {"out": q})')
    assert [source_of(model, c) for c in model.handoff.worker_calls(task, q, ("put",))] == [
        "out.put(n)"
    ]


def test_worker_enters_through_arguments_and_helpers() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def hold(lock):
            with lock:
                pass
        def outer(lock):
            hold(lock)
        def signal(lock):
            lock.release()
        def main():
            a, b, c = mp.Lock(), mp.Lock(), mp.Lock()
            mp.Process(target=outer, args=(a,)).start()
            mp.Process(target=signal, args=(b,)).start()
            mp.Process(target=signal, args=(a,)).start()
        """
    )
    first, second, third = model.submissions()
    lock_a = first.args[0] if first.args else None
    lock_b = second.args[0] if second.args else None
    assert lock_a is not None and lock_b is not None
    assert model.handoff.worker_enters(first, lock_a)  # through the helper's parameter
    assert not model.handoff.worker_enters(second, lock_b)
    assert not model.handoff.worker_enters(
        third, lock_a
    )  # the same lock, a worker that only releases it
