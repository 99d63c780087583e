"""``python -m mplint``."""

from __future__ import annotations

import sys

from mplint.cli import main

if __name__ == "__main__":
    sys.exit(main())
