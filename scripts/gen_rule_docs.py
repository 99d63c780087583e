"""(Re)write the rule catalogue in rules/: one page per rule and the index, from the rule classes.

    python scripts/gen_rule_docs.py          # write rules/*.md, delete pages of rules that no longer exist
    python scripts/gen_rule_docs.py --check  # write nothing; exit 1 and name the stale pages

Only ``MPL<digits>.md`` pages and ``README.md`` are managed; any other file in rules/ is left alone.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mplint.docs import INDEX_PAGE, expected_pages, replace_readme_table  # noqa: E402
from mplint.registry import all_rules  # noqa: E402

RULES_DIR = ROOT / "rules"
PAGE_RE = re.compile(r"^MPL[0-9]+\.md$")


def plan(directory: Path) -> tuple[dict[str, str], list[str]]:
    """(pages to write: name -> text, for the missing or stale ones; names of pages to delete)."""
    expected = expected_pages(all_rules())
    stale = {}
    for name, text in expected.items():
        path = directory / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            stale[name] = text
    obsolete = []
    if directory.is_dir():
        obsolete = sorted(
            path.name
            for path in directory.iterdir()
            if PAGE_RE.match(path.name) and path.name not in expected
        )
    return stale, obsolete


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when stale")
    parser.add_argument("--dir", type=Path, default=RULES_DIR, help="the catalogue directory")
    args = parser.parse_args(argv)
    directory: Path = args.dir
    stale, obsolete = plan(directory)
    readme = ROOT / "README.md"
    readme_text = readme.read_text(encoding="utf-8")
    readme_new = replace_readme_table(readme_text, all_rules())
    if args.check:
        if readme_new != readme_text:
            print(f"stale: {readme} (rule table)")
            return 1
        for name in stale:
            print(f"stale: {directory / name}")
        for name in obsolete:
            print(f"obsolete: {directory / name}")
        return 1 if stale or obsolete else 0
    if readme_new != readme_text:
        with open(readme, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(readme_new)
        print(f"wrote {readme} (rule table)")
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in stale.items():
        with open(directory / name, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        print(f"wrote {directory / name}")
    for name in obsolete:
        (directory / name).unlink()
        print(f"deleted {directory / name}")
    if not stale and not obsolete:
        print(f"{directory}: up to date ({len(all_rules())} rules and {INDEX_PAGE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
