"""Test data (no tests here): a sample of the reference database plus tenant materials,
and its pandas mirror used as the reference implementation of search.

Shared by the search, similarity and phase-diagram tests.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pymatgen.core import Composition
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from matdiscover.domains.materials.models import Material
from matdiscover.domains.organizations.models import Organization
from matdiscover.domains.organizations.service import ensure_local_identity
from matdiscover.domains.predictions.models import Prediction
from matdiscover.science.embeddings import anonymous_formula
from matdiscover.science.reference_entries import REFERENCE_TABLES, reference_entries

SAMPLE_TABLES = {
    "mp_e_form": 500,
    "mp_gap": 400,
    "mp_e_hull": 400,
    "oqmd_bandgap": 300,
    "aflow_debye_temperature": 150,
    "aflow_bulk_modulus_vrh": 150,
    "expt_gap": 150,
}
EXTRA_REFERENCE = [  # formula, property, value, database
    ("NaCl", "band_gap", 5.0, "materials_project"),
    ("KCl", "band_gap", 5.1, "materials_project"),
    ("KBr", "band_gap", 4.0, "materials_project"),
    ("NaBr", "band_gap", 4.2, "materials_project"),
    ("LiCl", "band_gap", 6.4, "materials_project"),
    ("RbCl", "band_gap", 5.0, "oqmd"),
    ("CsCl", "band_gap", 5.2, "oqmd"),
    ("CaZrO3", "band_gap", 4.1, "oqmd"),
    ("LiF", "band_gap", 8.7, "materials_project"),
    ("SrTiO3", "band_gap", 1.8, "materials_project"),
    ("BaTiO3", "band_gap", 1.7, "materials_project"),
    ("CaTiO3", "band_gap", 2.3, "materials_project"),
    ("LaAlO3", "band_gap", 4.0, "materials_project"),
]


PROTOTYPE_EXAMPLES = {"ABO3": "SrTiO3", "AB2O4": "MgAl2O4", "AB": "NaCl", "A2B3": "Fe2O3"}


@dataclass
class Seed:
    org_id: int
    other_org_id: int
    frame: pd.DataFrame  # one row per material visible or not, with "org" and property columns
    predictions: pd.DataFrame  # material_id, property, value, org, created_at


def _ref_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for spec in REFERENCE_TABLES:
        n = SAMPLE_TABLES.get(spec.table)
        if not n:
            continue
        for e in itertools.islice(reference_entries(spec), 0, n * 7, 7):
            rows.append(
                {
                    "formula": e["formula"],
                    "reduced_formula": e["reduced_formula"],
                    "elements": list(e["elements"]),  # type: ignore[call-overload]
                    "source_database": e["source_database"],
                    "source_id": e["source_id"],
                    "properties": {str(e["property"]): e["value"]},
                }
            )
    for formula, prop, value, db in EXTRA_REFERENCE:
        comp = Composition(formula)
        rows.append(
            {
                "formula": comp.formula,
                "reduced_formula": comp.reduced_formula,
                "elements": sorted(el.symbol for el in comp.elements),
                "source_database": db,
                "source_id": f"extra:{formula}",
                "properties": {prop: value},
            }
        )
    return rows


def seed(session: Session) -> Seed:
    """Insert the sample (committed) and return its pandas mirror."""
    caller = ensure_local_identity(session)
    other = Organization(name="Other lab", slug="other-lab")
    session.add(other)
    session.flush()
    ref = _ref_rows()
    values = [
        {
            **r,
            "organization_id": None,
            "chemical_system": "-".join(r["elements"]),
            "nelements": len(r["elements"]),
            "source": "reference",
            "anonymous_formula": anonymous_formula(r["reduced_formula"]),
        }
        for r in ref
    ]
    session.execute(insert(Material), values)
    # tenant materials through the ORM (exercises the anonymous_formula column default)
    mine = [
        ("LiFeO2", caller.organization_id, {}),
        ("Fe2O3", caller.organization_id, {}),
        ("SrTiO3", caller.organization_id, {}),
        ("LiCoO2", caller.organization_id, {}),
        ("Fe2O3", other.id, {}),
        ("NaCl", other.id, {}),
    ]
    for formula, org, props in mine:
        comp = Composition(formula)
        els = sorted(el.symbol for el in comp.elements)
        session.add(
            Material(
                organization_id=org,
                formula=comp.formula,
                reduced_formula=comp.reduced_formula,
                chemical_system="-".join(els),
                elements=els,
                nelements=len(els),
                source="upload",
                properties=props,
            )
        )
    session.flush()
    rows = session.query(Material).all()
    frame = pd.DataFrame(
        [
            {
                "id": m.id,
                "org": m.organization_id,
                "formula": m.formula,
                "reduced_formula": m.reduced_formula,
                "anonymous_formula": m.anonymous_formula,
                "elements": set(m.elements),
                "chemical_system": m.chemical_system,
                "nelements": m.nelements,
                "source": m.source,
                "source_database": m.source_database,
                **{f"ref_{k}": v for k, v in m.properties.items()},
            }
            for m in rows
        ]
    )
    # predictions: two generations for some of my materials, and the other org's
    by_formula = {
        (m.reduced_formula, m.organization_id): m.id for m in rows if m.source == "upload"
    }
    ref_ids = frame[frame.org.isna()].id.tolist()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    preds = [
        # (material, property, value, org, minutes after t0)
        (
            by_formula[("LiFeO2", caller.organization_id)],
            "band_gap",
            0.5,
            caller.organization_id,
            0,
        ),
        (
            by_formula[("LiFeO2", caller.organization_id)],
            "band_gap",
            2.2,
            caller.organization_id,
            5,
        ),
        (by_formula[("Fe2O3", caller.organization_id)], "band_gap", 2.0, caller.organization_id, 0),
        (
            by_formula[("SrTiO3", caller.organization_id)],
            "formation_energy",
            -3.4,
            caller.organization_id,
            0,
        ),
        (
            by_formula[("LiCoO2", caller.organization_id)],
            "energy_above_hull",
            0.0,
            caller.organization_id,
            0,
        ),
        (by_formula[("Fe2O3", other.id)], "band_gap", 2.1, other.id, 0),
        # a prediction of the caller on a reference entry, and one of the other org
        (ref_ids[0], "band_gap", 1.5, caller.organization_id, 0),
        (ref_ids[1], "band_gap", 1.6, other.id, 0),
    ]
    for mid, prop, value, org, minutes in preds:
        session.add(
            Prediction(
                material_id=mid,
                property=prop,
                value=value,
                organization_id=org,
                unit="",
                method="composition",
                model_name="test",
                model_version="1",
                created_at=t0 + timedelta(minutes=minutes),
            )
        )
    session.commit()
    session.execute(text("ANALYZE materials"))
    session.commit()
    pred_frame = pd.DataFrame(preds, columns=["material_id", "property", "value", "org", "min"])
    return Seed(caller.organization_id, other.id, frame, pred_frame)


# ------------------------------------------------------------------ pandas reference


def visible(seed_: Seed, *, include_reference: bool = True) -> pd.DataFrame:
    f = seed_.frame
    mask = f.org == seed_.org_id
    if include_reference:
        mask |= f.org.isna()
    return f[mask]


def predicted(seed_: Seed, prop: str) -> dict[int, float]:
    p = seed_.predictions
    p = p[(p.property == prop) & (p.org == seed_.org_id)].sort_values("min")
    return dict(zip(p.material_id, p.value, strict=True))  # later rows win


def prop_values(seed_: Seed, frame: pd.DataFrame, prop: str, source: str) -> pd.Series:
    ref = frame.get(f"ref_{prop}", pd.Series(index=frame.index, dtype=float))
    pred = frame.id.map(predicted(seed_, prop))
    if source == "reference":
        return ref
    if source == "predicted":
        return pred
    return ref.where(ref.notna(), pred)


def trigrams(text_: str) -> set[str]:
    """pg_trgm's trigrams: lower-cased alphanumeric words, each padded with two blanks in
    front and one behind."""
    out: set[str] = set()
    for word in re.findall(r"[0-9a-z]+", text_.lower()):
        padded = f"  {word} "
        out.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return out


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm ``similarity(a, b)``: shared / distinct trigrams, in float4 as PostgreSQL."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    common = len(ta & tb)
    return float(np.float32(common) / np.float32(len(ta) + len(tb) - common))


def fuzzy_match(f: pd.DataFrame, text_: str) -> pd.DataFrame:
    """``reduced_formula % text`` with the default ``pg_trgm.similarity_threshold`` 0.3."""
    q = text_.replace(" ", "")
    return f[f.reduced_formula.map(lambda s: trigram_similarity(s, q) >= 0.3)]


def _els(raw: list[str] | None) -> set[str]:
    return {p.capitalize() for r in raw or [] for p in r.replace(",", " ").split()}


def reference_filter(seed_: Seed, query: dict[str, Any]) -> pd.DataFrame:
    """The expected result of a query, computed in pandas."""
    f = visible(seed_, include_reference=query.get("include_reference", True))
    if (formula := query.get("formula")) is not None:
        if query.get("fuzzy") and "*" not in formula:
            f = fuzzy_match(f, formula)
        elif "*" in formula:
            f = f[f.reduced_formula.map(lambda s: fnmatch.fnmatchcase(s, formula))]
        else:
            # a reduced formula matches reduced or cell formulas; a cell formula (Fe4O6)
            # matches that cell formula only
            comp = Composition(formula)
            cell = f.formula == comp.formula
            f = (
                f[cell | (f.reduced_formula == formula)]
                if comp.reduced_formula == formula
                else f[cell]
            )
    if (q := query.get("q")) is not None:
        f = fuzzy_match(f, q)
    if (anon := query.get("anonymous_formula")) is not None:
        target = Composition(PROTOTYPE_EXAMPLES[anon]).anonymized_formula
        f = f[f.reduced_formula.map(lambda s: Composition(s).anonymized_formula) == target]
    if els := _els(query.get("elements")):
        f = f[f.elements.map(lambda s: set(els) <= s)]
    if els := _els(query.get("elements_any")):
        f = f[f.elements.map(lambda s: bool(set(els) & s))]
    if els := _els(query.get("elements_exclude")):
        f = f[f.elements.map(lambda s: not (set(els) & s))]
    if cs := query.get("chemical_system"):
        parts = cs.split("-")
        want = {p for p in parts if p != "*"}
        if "*" in parts:
            f = f[f.elements.map(lambda s: want <= s)]
        else:
            f = f[f.elements.map(lambda s: s == want)]
    if (n := query.get("nelements")) is not None:
        f = f[f.nelements == n]
    if db := query.get("source_database"):
        f = f[f.source_database == db]
    if src := query.get("source"):
        f = f[f.source == src]
    source = query.get("property_source", "reference")
    for key, bound in query.items():
        for suffix in ("_min", "_max"):
            if key.endswith(suffix) and not key.startswith("nelements"):
                prop = key[: -len(suffix)]
                v = prop_values(seed_, f, prop, source)
                f = f[(v >= bound) if suffix == "_min" else (v <= bound)]
    if (stable := query.get("is_stable")) is not None:
        v = prop_values(seed_, f, "energy_above_hull", source)
        f = f[(v <= 1e-3) if stable else (v > 1e-3)]
    return f


def expected_order(
    seed_: Seed, f: pd.DataFrame, sort: str, descending: bool, source: str = "reference"
) -> list[int]:
    """Ids in (sort key, id) order, rows without a value last (in id order)."""
    if sort == "id":
        return sorted(f.id.tolist(), reverse=descending)
    v = (
        prop_values(seed_, f, sort, source)
        if sort.endswith(("gap", "energy", "hull", "modulus", "temperature"))
        else f[sort]
    )
    has = f[v.notna()].assign(_v=v[v.notna()])
    ordered = has.sort_values(["_v", "id"], ascending=not descending).id.tolist()
    missing = sorted(f[v.isna()].id.tolist(), reverse=descending)
    return ordered + missing
