"""The committed OpenAPI schema (and so the generated TypeScript client) matches the API.

If this fails, run ``cd frontend && npm run gen:api`` and commit ``frontend/openapi.json``
and ``frontend/src/client/schema.d.ts``.
"""

from __future__ import annotations

import importlib.util
import json
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_committed_openapi_schema_is_current() -> None:
    spec = importlib.util.spec_from_file_location("dump_openapi", REPO / "scripts/dump_openapi.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = Path(tempfile.mkdtemp()) / "openapi.json"
    assert module.main(["dump_openapi.py", str(out)]) == 0
    current = json.loads(out.read_text(encoding="utf-8"))
    committed = json.loads((REPO / "frontend" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == current, "run `cd frontend && npm run gen:api` and commit the result"
    catalogue = (REPO / "frontend/src/client/catalogue.json").read_text(encoding="utf-8")
    assert catalogue == module.catalogue_json(), "run `cd frontend && npm run gen:api`"
    client = (REPO / "frontend" / "src" / "client" / "schema.d.ts").read_text(encoding="utf-8")
    for path in current["paths"]:
        assert f'"{path}"' in client, f"{path} missing from the generated client"
