"""An organisation's molecules as CSV, JSON or SDF.

Columns (CSV) and SD tags (SDF), in this order: ``id, name, smiles, input_smiles,
inchikey, mw, clogp, tpsa, qed, heavy_atoms, p_activity, le, lle, sei, bei, nsei, nbei,
score_total, classification, score_potency, score_efficiency, score_quality, has_pains,
alerts`` (alert families as ``catalog:family`` joined by ``;``), ``source, created_at``.
Units as in :mod:`.schemas`. Numbers are written at full precision.

The PDF (:func:`to_pdf`, :func:`matdiscover.reports.molecule_report_pdf`) holds at most
:data:`matdiscover.reports.MAX_MOLECULES` molecules: a summary page ranked by score, then
one page per molecule with its depiction, alerts, score components and activities.

CSV text cells that a spreadsheet would run as formulas (``=``, ``+``, ``-``, ``@``, tab,
carriage return) are prefixed with ``'``. The SDF holds the standardised molecules (2D
coordinates), the name on the title line and every column above as an SD tag; RDKit reads
it back.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rdkit import Chem, rdBase
from rdkit.Chem import rdDepictor
from sqlalchemy.orm import Session

from matdiscover.domains.molecules import service
from matdiscover.domains.molecules.models import Molecule
from matdiscover.reports import MoleculeReportItem, ReportActivity, molecule_report_pdf
from matdiscover.science.chemistry import EfficiencyIndices, MolecularDescriptors, ScoreComponents
from matdiscover.science.measurements import neutralise_cell

#: molecules one export holds at most
MAX_EXPORT = 100_000

COLUMNS = (
    "id",
    "name",
    "smiles",
    "input_smiles",
    "inchikey",
    "mw",
    "clogp",
    "tpsa",
    "qed",
    "heavy_atoms",
    "p_activity",
    "le",
    "lle",
    "sei",
    "bei",
    "nsei",
    "nbei",
    "score_total",
    "classification",
    "score_potency",
    "score_efficiency",
    "score_quality",
    "has_pains",
    "alerts",
    "source",
    "created_at",
)
_INDICES = ("le", "lle", "sei", "bei", "nsei", "nbei")


def record(m: Molecule) -> dict[str, Any]:
    """One molecule as a flat dict over :data:`COLUMNS`."""
    row: dict[str, Any] = {
        "id": m.id,
        "name": m.name,
        "smiles": m.smiles,
        "input_smiles": m.input_smiles,
        "inchikey": m.inchikey,
        "mw": m.mw,
        "clogp": m.clogp,
        "tpsa": m.tpsa,
        "qed": m.qed,
        "heavy_atoms": m.heavy_atoms,
        "p_activity": m.p_activity,
        "score_total": m.score_total,
        "classification": m.classification,
        "score_potency": m.score_potency,
        "score_efficiency": m.score_efficiency,
        "score_quality": m.score_quality,
        "has_pains": m.has_pains,
        "alerts": ";".join(f"{a['catalog']}:{a['family']}" for a in m.alerts),
        "source": m.source,
        "created_at": m.created_at.isoformat(),
    }
    for index in _INDICES:
        row[index] = m.indices.get(index)
    return {c: row[c] for c in COLUMNS}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return str(value)


def to_csv(molecules: Sequence[Molecule]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for m in molecules:
        writer.writerow([neutralise_cell(_text(v)) for v in record(m).values()])
    return buffer.getvalue().encode("utf-8")


def to_json(molecules: Sequence[Molecule]) -> bytes:
    items = [{**record(m), "alerts": m.alerts, "score": m.score} for m in molecules]
    return json.dumps({"items": items}, ensure_ascii=False).encode("utf-8")


def to_sdf(molecules: Sequence[Molecule]) -> bytes:
    buffer = io.StringIO()
    writer = Chem.SDWriter(buffer)
    with rdBase.BlockLogs():
        for m in molecules:
            mol = Chem.MolFromSmiles(m.smiles)
            if mol is None:  # stored SMILES are RDKit's own; kept for safety
                continue
            rdDepictor.Compute2DCoords(mol)
            mol.SetProp("_Name", (m.name or m.inchikey).replace("\n", " "))
            for key, value in record(m).items():
                mol.SetProp(key, _text(value).replace("\n", " "))
            writer.write(mol)
    writer.close()
    return buffer.getvalue().encode("utf-8")


def report_item(session: Session, m: Molecule) -> MoleculeReportItem:
    """The stored molecule as a report item (score, indices and alerts as stored)."""
    score = dict(m.score)
    for key in ("property_violations", "weights", "notes"):
        score[key] = tuple(score[key])
    activities = tuple(
        ReportActivity(
            target=a.target,
            type=a.standard_type,
            relation=a.relation,
            value=a.value,
            unit=a.unit,
            p_activity=a.p_activity,
        )
        for a in service.activities_of(session, m)
    )
    return MoleculeReportItem(
        name=m.name or m.inchikey,
        smiles=m.smiles,
        inchikey=m.inchikey,
        descriptors=MolecularDescriptors(**m.descriptors),
        alerts=tuple(service.alerts_of(m)),
        score=ScoreComponents(**score),
        indices=EfficiencyIndices(**m.indices) if m.indices else None,
        activities=activities,
        mol=Chem.MolFromSmiles(m.smiles),  # the atom order the stored alerts refer to
    )


def to_pdf(session: Session, molecules: Sequence[Molecule], *, title: str) -> bytes:
    """The PDF report of ``molecules`` (see the module docstring).

    Raises:
        InvalidInput: no molecules.
        InputTooLarge: more than the report's limit.
    """
    return molecule_report_pdf(
        [report_item(session, m) for m in molecules],
        title=title,
        generated_at=datetime.now(UTC),
    )
