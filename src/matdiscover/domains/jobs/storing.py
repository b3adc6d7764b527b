"""Store a finished chunk's valid rows as searchable materials with predictions (through
the materials and predictions services' bulk inserts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from pymatgen.core import Composition
from sqlalchemy.orm import Session

from matdiscover.domains.jobs.models import Job
from matdiscover.domains.materials import service as materials
from matdiscover.domains.predictions import service as predictions
from matdiscover.science.properties import CATALOGUE, PropertyName


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def store_batch_rows(
    session: Session, job: Job, results: pd.DataFrame, *, properties: Sequence[str]
) -> int:
    """Insert one material per valid row and its predictions; return rows stored."""
    valid = results[results["error"].isna()]
    if valid.empty:
        return 0
    material_rows: list[dict[str, Any]] = []
    kept: list[int] = []
    for pos, row in enumerate(valid.itertuples(index=False)):
        raw = getattr(row, "formula", "") or ""
        try:
            comp = Composition(str(raw))
        except Exception:
            continue
        elements = sorted({el.symbol for el in comp.elements})
        material_rows.append(
            {
                "organization_id": job.organization_id,
                "formula": comp.formula,
                "reduced_formula": comp.reduced_formula,
                "chemical_system": "-".join(elements),
                "elements": elements,
                "nelements": len(elements),
                "source": "batch",
                "source_id": f"job-{job.id}:row-{int(row.row_index)}",
                "filename": str(job.params.get("filename", ""))[:255],
                "warnings": [],
                "properties": {},
                "is_ordered": True,
            }
        )
        kept.append(pos)
    if not material_rows:
        return 0
    ids = materials.insert_batch_materials(session, material_rows)
    pred_rows: list[dict[str, Any]] = []
    frame = valid.iloc[kept]
    method = frame["method"].tolist() if "method" in frame else ["composition"] * len(frame)
    for mat_id, (_, row), meth in zip(ids, frame.iterrows(), method, strict=True):
        for p in properties:
            value = _finite(row.get(p))
            if value is None:
                continue
            warnings = [w for w in str(row.get(f"{p}_warnings") or "").split("; ") if w]
            pred_rows.append(
                {
                    "organization_id": job.organization_id,
                    "material_id": mat_id,
                    "property": p,
                    "value": value,
                    "std": _finite(row.get(f"{p}_std")),
                    "interval_low": _finite(row.get(f"{p}_low95")),
                    "interval_high": _finite(row.get(f"{p}_high95")),
                    "unit": CATALOGUE[PropertyName(p)].unit if p in CATALOGUE else "",
                    "method": meth or "composition",
                    "model_name": str(row.get(f"{p}_model") or "unknown"),
                    "model_version": str(row.get(f"{p}_model_version") or ""),
                    "in_domain": bool(row.get(f"{p}_in_domain", True)),
                    "warnings": warnings,
                    "details": {},
                    "job_id": job.id,
                }
            )
    predictions.insert_batch_predictions(session, pred_rows)
    return len(ids)
