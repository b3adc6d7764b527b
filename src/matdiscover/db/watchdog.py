"""Stop the embedded database when its owner dies.

Usage: ``python -m matdiscover.db.watchdog OWNER_PID PGDATA``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from matdiscover.db.embedded import watch


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m matdiscover.db.watchdog OWNER_PID PGDATA", file=sys.stderr)
        return 2
    watch(int(argv[0]), Path(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
