# witness: exits 0
# witness: value "parent mode" = "production"
# witness: value "worker modes" = "['default', 'default']"
"""MPL208 implicit-fork-state: a setting changed under the guard, read by spawned workers.

The parent sets CONFIG["mode"] after import; spawned workers re-import the module and see
the import-time value. Expected: "parent mode: production", "worker modes: ['default', 'default']".
"""

import multiprocessing as mp

CONFIG = {"mode": "default"}


def work(_):
    return CONFIG["mode"]


if __name__ == "__main__":
    CONFIG["mode"] = "production"  # BUG: only this process sees it
    print(f"parent mode: {CONFIG['mode']}", flush=True)
    with mp.get_context("spawn").Pool(2) as pool:
        print(f"worker modes: {pool.map(work, range(2))}", flush=True)
