"""Write the API's OpenAPI schema as JSON (no server or database needed).

Usage: python scripts/dump_openapi.py [OUTPUT]   (default: frontend/openapi.json)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from matdiscover.api.app import create_app


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path("frontend/openapi.json")
    schema = create_app().openapi()
    out.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
