"""Helpers for project and measurement tests: uploads of small real structures, known
compounds and stored predictions with chosen values (so that parity numbers can be
computed by hand)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from pymatgen.core import Lattice, Structure
from sqlalchemy import Engine, text

ROCKSALT = {
    "NaCl": (5.64, "Na", "Cl"),
    "MgO": (4.21, "Mg", "O"),
    "KBr": (6.60, "K", "Br"),
    "CaO": (4.81, "Ca", "O"),
}


def poscar(formula: str) -> bytes:
    a, cation, anion = ROCKSALT[formula]
    s = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(a), [cation, anion], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    return str(s.to(fmt="poscar")).encode()


def upload(client: TestClient, formula: str, headers: dict[str, str] | None = None) -> int:
    r = client.post(
        "/api/v1/materials",
        files=[("files", (f"{formula}.vasp", poscar(formula)))],
        headers=headers or {},
    )
    assert r.status_code in (200, 201), r.text
    body: Any = r.json()
    items = body["items"] if isinstance(body, dict) and "items" in body else body
    first = items[0]
    return int(first["material"]["id"] if "material" in first else first["id"])


def add_compound(engine: Engine, formula: str, elements: list[str], **props: float) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO compounds (reduced_formula, chemical_system, elements, nelements,"
                " properties, n_entries) VALUES (:f, :cs, :el, :n, CAST(:p AS jsonb), 1)"
            ),
            {
                "f": formula,
                "cs": "-".join(sorted(elements)),
                "el": elements,
                "n": len(elements),
                "p": json.dumps(props),
            },
        )


def add_prediction(
    engine: Engine,
    material_id: int,
    prop: str,
    value: float,
    std: float,
    *,
    model: str = "test-model",
    version: str = "1.0",
) -> None:
    with engine.begin() as conn:
        org = conn.execute(
            text("SELECT organization_id FROM materials WHERE id = :m"), {"m": material_id}
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO predictions (organization_id, material_id, property, value, std,"
                " unit, method, model_name, model_version) VALUES (:o, :m, :p, :v, :s,"
                " 'eV', 'composition', :mn, :mv)"
            ),
            {
                "o": org,
                "m": material_id,
                "p": prop,
                "v": value,
                "s": std,
                "mn": model,
                "mv": version,
            },
        )


def csv_file(text_: str, name: str = "m.csv") -> dict[str, Any]:
    return {"file": (name, text_.encode())}
