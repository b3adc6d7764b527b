"""Write the API's OpenAPI schema as JSON (no server or database needed).

Usage: python scripts/dump_openapi.py [OUTPUT]   (default: frontend/openapi.json)

Also writes the property catalogue the web UI imports (``frontend/src/client/
catalogue.json``, the body of ``GET /api/v1/properties``) next to the generated client.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from matdiscover.api.app import create_app
from matdiscover.domains.predictions.router import catalogue_read

CATALOGUE_JSON = Path(__file__).resolve().parent.parent / "frontend/src/client/catalogue.json"


def catalogue_json() -> str:
    rows = [info.model_dump(mode="json") for info in catalogue_read()]
    return json.dumps(rows, indent=2) + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path("frontend/openapi.json")
    schema = create_app().openapi()
    out.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    if out.resolve() == CATALOGUE_JSON.parent.parent.parent / "openapi.json":
        CATALOGUE_JSON.write_text(catalogue_json(), encoding="utf-8")
        print(f"wrote {CATALOGUE_JSON}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
