# witness: runs clean
# witness: value "expected" = "40000"
# witness: values "total" = "40000" "40000" "40000" "40000" "40000"
# witness: value "lost updates" = "False"
"""MPL402 fixed: the parent and its child both hold the Value's own lock around `+=`.

The same program as MPL402_bad_parent.py, with `with counter.get_lock():` around both updates (the
default lock is an RLock: the property's own acquire inside the block does not block). All five
rounds keep every increment.

Expected output:
    expected: 40000
    total: 40000              (five times)
    lost updates: False
"""

import multiprocessing as mp

INCREMENTS = 20_000
ROUNDS = 5


def work(counter, started):
    started.value = 1
    for _ in range(INCREMENTS):
        with counter.get_lock():
            counter.value += 1


def one_round():
    counter = mp.Value("i", 0)
    started = mp.Value("b", 0)
    child = mp.Process(target=work, args=(counter, started))
    child.start()
    while not started.value:  # until the child counts too
        pass
    for _ in range(INCREMENTS):
        with counter.get_lock():
            counter.value += 1
    child.join()
    return counter.value


if __name__ == "__main__":
    expected = 2 * INCREMENTS
    print(f"expected: {expected}", flush=True)
    lost = False
    for _ in range(ROUNDS):
        total = one_round()
        print(f"total: {total}", flush=True)
        lost = lost or total < expected
    print(f"lost updates: {lost}", flush=True)
