"""Realistic multiprocessing modules of any length, for benchmarks that grow a file.

    python benchmarks/synthetic.py --lines 4000 > etl.py

The module reads like an ETL job: stages that own process pools and executors in ``self`` attributes,
managers with shared dicts, queues fed by producer processes and drained by consumers, locks passed to
workers, callbacks, retries, helper functions calling one another, ``imap_unordered`` over chunks, futures
collected with ``as_completed``. Each stage is one of several shapes, with its own names, constants and
helpers, so the model sees many distinct functions, bindings and submissions rather than one small function
repeated (a few shapes carry a real bug or two, as real code does). The text depends only on the number of
lines asked for: two calls with the same argument return the same module.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["module_of", "stage"]

HEADER = '''\
"""Nightly extract-transform-load job: many stages, each with its own workers."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from multiprocessing import Lock, Manager, Process, Queue
from multiprocessing.pool import Pool

LOG = logging.getLogger(__name__)
SENTINEL = None
DEFAULT_WORKERS = max(1, (os.cpu_count() or 2) - 1)


def chunked(items, size):
    """Split a list into lists of at most ``size`` items."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def retry(function, attempts=3, delay=0.1):
    """Call ``function`` until it stops raising, at most ``attempts`` times."""
    for attempt in range(attempts):
        try:
            return function()
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(delay * (attempt + 1))
    return None
'''

# Each shape is a template of one stage; {n} numbers everything it defines, {k} varies a constant.
SHAPES: tuple[str, ...] = (
    '''

def parse_row_{n}(row):
    fields = row.split(",")
    if len(fields) < {k}:
        return None
    return {{"id": fields[0], "value": float(fields[1]) * {k}}}


def clean_batch_{n}(batch):
    rows = [parse_row_{n}(row) for row in batch]
    return [row for row in rows if row is not None]


class Extractor{n}:
    """Reads the raw rows of source {n} with a pool of its own."""

    def __init__(self, paths, workers=DEFAULT_WORKERS):
        self.paths = list(paths)
        self.workers = workers
        self.pool = Pool(processes=workers)
        self.seen = 0

    def extract(self):
        batches = chunked(self.paths, {k})
        results = []
        for cleaned in self.pool.imap_unordered(clean_batch_{n}, batches):
            self.seen += len(cleaned)
            results.extend(cleaned)
        return results

    def close(self):
        self.pool.close()
        self.pool.join()
''',
    """

def score_{n}(record, weight={k}):
    total = 0.0
    for key, value in record.items():
        if isinstance(value, (int, float)):
            total += value * weight
    return key, total


def on_scored_{n}(result):
    LOG.info("stage {n}: scored %s", result[0])


def on_failed_{n}(error):
    LOG.error("stage {n}: %s", error)


def score_all_{n}(records):
    pending = []
    with mp.Pool(DEFAULT_WORKERS) as pool:
        for record in records:
            pending.append(
                pool.apply_async(
                    score_{n}, (record,), callback=on_scored_{n}, error_callback=on_failed_{n}
                )
            )
        pool.close()
        pool.join()
    return [item.get(timeout={k}) for item in pending]
""",
    """

def transform_chunk_{n}(chunk, factor={k}):
    return [value * factor for value in chunk if value is not None]


def run_transform_{n}(values):
    chunks = chunked(values, {k} * 10)
    out = []
    with ProcessPoolExecutor(max_workers=DEFAULT_WORKERS) as executor:
        futures = {{executor.submit(transform_chunk_{n}, chunk): i for i, chunk in enumerate(chunks)}}
        for future in as_completed(futures):
            index = futures[future]
            try:
                out.append((index, future.result()))
            except ValueError as error:
                LOG.warning("chunk %d of stage {n} failed: %s", index, error)
    out.sort()
    return [value for _, part in out for value in part]
""",
    """

def produce_{n}(jobs, items):
    for item in items:
        jobs.put(item)
    jobs.put(SENTINEL)


def consume_{n}(jobs, results, lock):
    while True:
        item = jobs.get()
        if item is SENTINEL:
            break
        with lock:
            results.put(item * {k})


def pipeline_{n}(items):
    jobs = Queue()
    results = Queue()
    lock = Lock()
    producer = Process(target=produce_{n}, args=(jobs, items))
    consumer = Process(target=consume_{n}, args=(jobs, results, lock))
    producer.start()
    consumer.start()
    collected = []
    for _ in items:
        try:
            collected.append(results.get(timeout={k}))
        except queue.Empty:
            break
    producer.join()
    consumer.join()
    return collected
""",
    '''

def count_words_{n}(shared, text):
    for word in text.split():
        shared[word] = shared.get(word, 0) + 1


class WordCounter{n}:
    """Counts words of many documents in a manager's dict."""

    def __init__(self, documents):
        self.documents = documents
        self.manager = Manager()
        self.counts = self.manager.dict()
        self.processes = []

    def start(self):
        for document in self.documents[:{k}]:
            process = mp.Process(target=count_words_{n}, args=(self.counts, document))
            process.start()
            self.processes.append(process)

    def wait(self):
        for process in self.processes:
            process.join()
        return dict(self.counts)

    def shutdown(self):
        self.manager.shutdown()
''',
    """

def fetch_{n}(url, timeout={k}):
    def attempt():
        return url.encode("utf-8")[:timeout]

    return retry(attempt)


class Downloader{n}:
    def __init__(self, urls):
        self.urls = urls
        self.executor = ThreadPoolExecutor(max_workers={k})
        self.done = []

    def run(self):
        futures = [self.executor.submit(fetch_{n}, url) for url in self.urls]
        for future in futures:
            self.done.append(future.result())
        self.executor.shutdown(wait=True)
        return self.done
""",
    """

def aggregate_{n}(pairs):
    totals = {{}}
    for key, value in pairs:
        totals[key] = totals.get(key, 0) + value
    return totals


def merge_{n}(parts):
    merged = {{}}
    for part in parts:
        for key, value in part.items():
            merged[key] = merged.get(key, 0) + value
    return merged


def reduce_stage_{n}(pairs, workers=DEFAULT_WORKERS):
    ctx = mp.get_context("spawn")
    pool = ctx.Pool(workers)
    try:
        parts = pool.map(aggregate_{n}, chunked(pairs, {k}))
    finally:
        pool.terminate()
    return merge_{n}(parts)
""",
    '''

class Loader{n}:
    """Writes batches through worker processes; the pool lives as long as the loader."""

    def __init__(self, target, workers=2):
        self.target = target
        self.pool = mp.Pool(workers)
        self.written = 0

    def _write(self, batch):
        return len(batch)

    def load(self, batches):
        results = self.pool.map(self._write, batches)
        self.written += sum(results)
        return self.written

    def load_async(self, batch):
        self.pool.apply_async(self._write, (batch,))

    def finish(self):
        self.pool.close()
        self.pool.join()


def load_everything_{n}(target, batches):
    loader = Loader{n}(target)
    try:
        return loader.load(chunked(batches, {k}))
    finally:
        loader.finish()
''',
)


def stage(number: int) -> str:
    """The text of stage ``number`` (its shape and constant follow from the number)."""
    template = SHAPES[number % len(SHAPES)]
    return template.format(n=number, k=3 + number % 7)


def module_of(lines: int) -> str:
    """A module of about ``lines`` lines (at least the header), ending with a ``__main__`` guard."""
    parts = [HEADER]
    count = HEADER.count("\n")
    number = 0
    footer_lines = 6
    while count + footer_lines < lines:
        text = stage(number)
        parts.append(text)
        count += text.count("\n")
        number += 1
    parts.append(
        "\n\ndef main():\n"
        '    LOG.info("running %d stages", ' + str(number) + ")\n"
        "\n\n"
        'if __name__ == "__main__":\n'
        "    main()\n"
    )
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()
    sys.stdout.write(module_of(args.lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
