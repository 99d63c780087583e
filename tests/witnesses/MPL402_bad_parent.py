# witness: exits 0
# witness: value "expected" = "40000"
# witness: value "lost updates" = "True"
# witness: stderr empty
# witness: reported 2 times
"""MPL402 nonatomic-shared-update: the parent does `counter.value += 1` while its child does too.

One child process adds 1 to a shared `Value` 20,000 times; the parent, after `start()` and before
`join()`, does the same. The parent is a second writer: each `+=` reads the value and writes it back
with the lock taken twice, so the two processes overwrite each other's increments. The parent
starts its loop once the child has raised a flag; the experiment runs up to five rounds and stops
at the first that loses an update. No error is raised.

Expected output:
    expected: 40000
    total: 2xxxx              (below 40000)
    lost updates: True
"""

import multiprocessing as mp

INCREMENTS = 20_000
ROUNDS = 5


def work(counter, started):
    started.value = 1
    for _ in range(INCREMENTS):
        counter.value += 1  # BUG: races the parent's update below


def one_round():
    counter = mp.Value("i", 0)
    started = mp.Value("b", 0)
    child = mp.Process(target=work, args=(counter, started))
    child.start()
    while not started.value:  # until the child counts too
        pass
    for _ in range(INCREMENTS):
        counter.value += 1  # BUG: the child writes the same Value meanwhile
    child.join()
    return counter.value


if __name__ == "__main__":
    expected = 2 * INCREMENTS
    print(f"expected: {expected}", flush=True)
    lost = False
    for _ in range(ROUNDS):
        total = one_round()
        print(f"total: {total}", flush=True)
        if total < expected:
            lost = True
            break
    print(f"lost updates: {lost}", flush=True)
