# witness: start-method spawn
# witness: exits 0
# witness: stderr has "FileNotFoundError: [Errno 2] No such file or directory"
# witness: prints exactly "started"
# witness: never prints "job"
"""MPL408 unjoined-process-with-primitive: workers started by main() with a semaphore.

main() is the last call of the guard and ends after starting its workers, kept in a variable
that is never joined.

Expected: exit status 0, no "job" line, FileNotFoundError on stderr.
"""

import multiprocessing


def job(slots, index):
    with slots:
        print("job", index, flush=True)


def main():
    slots = multiprocessing.Semaphore(2)
    for index in range(4):
        worker = multiprocessing.Process(target=job, args=(slots, index))
        worker.start()  # BUG: never joined
    print("started", flush=True)


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    main()
