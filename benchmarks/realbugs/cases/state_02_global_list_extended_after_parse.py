# realbug: prefixes parsed from the command line are appended to a global list that pool workers read
# source: https://github.com/ungoogled-software/ungoogled-chromium/pull/3866
# expected: MPL208
# symptom: on Python 3.14 (forkserver default) the workers see the default list; excluded files are included
import argparse
from multiprocessing import Pool

DOMAIN_EXCLUDE_PREFIXES = ["third_party/"]


def compute_lists_proc(path):
    return not any(path.startswith(p) for p in DOMAIN_EXCLUDE_PREFIXES)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--domain-exclude-prefix", action="append", default=[])
    args = parser.parse_args()
    DOMAIN_EXCLUDE_PREFIXES.extend(args.domain_exclude_prefix)
    with Pool() as pool:
        print(pool.map(compute_lists_proc, [".pc/a", "src/b"]))


if __name__ == "__main__":
    main()
