# realbug: bulk deletes run as futures that are waited for but whose results are never looked at
# source: https://github.com/getsentry/sentry/pull/124235
# expected: MPL303
# symptom: worker crashes and pickling errors finish as success; chunks are silently skipped
# why-missed: the futures are collected and passed to wait(), which counts as a use; nothing checks their results
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import wait as future_wait


def delete_chunk(chunk):
    return len(chunk)


def run_bulk_deletes(chunks):
    with ProcessPoolExecutor(4) as executor:
        futures = [executor.submit(delete_chunk, c) for c in chunks]
        future_wait(futures)


if __name__ == "__main__":
    run_bulk_deletes([[1], [2, 3]])
