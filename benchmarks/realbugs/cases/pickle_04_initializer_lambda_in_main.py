# realbug: the pool's initializer ignores SIGINT through a lambda defined in main()
# source: https://github.com/Vuenc/TUM-Master-Informatics-Offered-Lectures/pull/14
# expected: MPL203
# symptom: AttributeError: Can't pickle local object 'main.<locals>.<lambda>' (spawn: macOS, Windows)
import signal
from multiprocessing import Pool


def fetch(url):
    return len(url)


def main(urls):
    with Pool(8, initializer=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) as pool:
        return pool.map(fetch, urls)


if __name__ == "__main__":
    print(main(["a", "bb"]))
