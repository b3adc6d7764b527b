"""Listing, similarity and substructure search over an organisation's molecules and the
seed set.

Similarity uses the stored ECFP4 fingerprints (no re-parsing); substructure search parses
the stored canonical SMILES. Both are bounded: at most :data:`MAX_SCAN` molecules of the
organisation are examined, substructure search stops after ``limit`` hits or
:data:`TIME_BUDGET_S` seconds (``truncated`` says so).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rdkit import Chem, DataStructs, rdBase
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from matdiscover.domains.molecules.models import Molecule
from matdiscover.science.chemistry import (
    SeedNeighbour,
    compile_smarts,
    fingerprint,
    load_moleculeace_seed,
    nearest_seed_activities,
)

#: molecules of one organisation a search examines at most
MAX_SCAN = 200_000
#: wall-clock budget of one substructure search, per scope
TIME_BUDGET_S = 5.0

Sort = Literal["score", "name", "mw", "clogp", "qed", "created"]
Order = Literal["asc", "desc"]
DEFAULT_ORDER: dict[str, Order] = {
    "score": "desc",
    "created": "desc",
    "name": "asc",
    "mw": "asc",
    "clogp": "asc",
    "qed": "desc",
}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_molecules(
    session: Session,
    *,
    organization_id: int,
    sort: Sort = "score",
    order: Order | None = None,
    classification: str | None = None,
    has_pains: bool | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Molecule], int, Order]:
    """A page of the organisation's molecules, the total matching and the order used.

    ``q`` matches a substring of the name (case-insensitive) or of the input or canonical
    SMILES (``%`` and ``_`` are literal). Unscored molecules sort last by score.
    """
    stmt = select(Molecule).where(Molecule.organization_id == organization_id)
    if classification:
        stmt = stmt.where(Molecule.classification == classification)
    if has_pains is not None:
        stmt = stmt.where(Molecule.has_pains.is_(has_pains))
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                Molecule.name.ilike(pattern, escape="\\"),
                Molecule.smiles.like(pattern, escape="\\"),
                Molecule.input_smiles.like(pattern, escape="\\"),
            )
        )
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    direction = order or DEFAULT_ORDER[sort]
    column = {
        "score": Molecule.score_total,
        "name": func.lower(Molecule.name),
        "mw": Molecule.mw,
        "clogp": Molecule.clogp,
        "qed": Molecule.qed,
        "created": Molecule.created_at,
    }[sort]
    key = column.desc() if direction == "desc" else column.asc()
    tie = Molecule.id.desc() if direction == "desc" else Molecule.id.asc()
    rows = session.scalars(stmt.order_by(key.nulls_last(), tie).limit(limit).offset(offset)).all()
    return list(rows), total, direction


@dataclass(frozen=True)
class Hit:
    molecule_id: int
    similarity: float | None


def similar_molecules(
    session: Session,
    query: Chem.Mol,
    *,
    organization_id: int,
    k: int,
    min_similarity: float = 0.0,
    exclude_id: int | None = None,
) -> tuple[list[Hit], int]:
    """The ``k`` molecules of the organisation most similar to ``query`` (ECFP4 Tanimoto
    >= ``min_similarity``), most similar first, and how many were compared."""
    rows = session.execute(
        select(Molecule.id, Molecule.fingerprint)
        .where(Molecule.organization_id == organization_id)
        .order_by(Molecule.id)
        .limit(MAX_SCAN)
    ).all()
    rows = [r for r in rows if r.id != exclude_id]
    if not rows or k <= 0:
        return [], len(rows)
    # RDKit's binary form (the stubs say str; the binding takes bytes)
    fps = [DataStructs.CreateFromBinaryText(bytes(r.fingerprint)) for r in rows]  # type: ignore[arg-type]
    sims = DataStructs.BulkTanimotoSimilarity(fingerprint(query), fps)
    ranked = sorted(range(len(rows)), key=lambda i: (-sims[i], rows[i].id))
    hits = [Hit(int(rows[i].id), float(sims[i])) for i in ranked[:k] if sims[i] >= min_similarity]
    return hits, len(rows)


def substructure_molecules(
    session: Session, pattern: str, *, organization_id: int, limit: int
) -> tuple[list[Hit], int, bool]:
    """Molecules of the organisation containing the SMARTS ``pattern``: (hits in id order,
    molecules examined, truncated).

    Raises:
        InvalidSmarts: the pattern is empty, too long or not valid.
    """
    query = compile_smarts(pattern)
    rows = session.execute(
        select(Molecule.id, Molecule.smiles)
        .where(Molecule.organization_id == organization_id)
        .order_by(Molecule.id)
        .limit(MAX_SCAN)
    ).all()
    hits: list[Hit] = []
    deadline = time.monotonic() + TIME_BUDGET_S
    scanned = 0
    with rdBase.BlockLogs():
        for row in rows:
            if len(hits) >= limit or time.monotonic() > deadline:
                return hits, scanned, True
            scanned += 1
            mol = Chem.MolFromSmiles(row.smiles)
            if mol is not None and mol.HasSubstructMatch(query):
                hits.append(Hit(int(row.id), None))
    return hits, scanned, False


@lru_cache(maxsize=1)
def _seed_molecules() -> tuple[tuple[str, Chem.Mol], ...]:
    smiles = load_moleculeace_seed()["smiles"].drop_duplicates().tolist()
    with rdBase.BlockLogs():
        parsed = ((s, Chem.MolFromSmiles(s)) for s in smiles)
        return tuple((s, m) for s, m in parsed if m is not None)


def substructure_seed(pattern: str, *, limit: int) -> tuple[list[SeedNeighbour], int, bool]:
    """Seed compounds containing the SMARTS ``pattern`` with their activities (similarity
    1.0 is not meaningful here and is reported as 0): (hits, examined, truncated)."""
    query = compile_smarts(pattern)
    df = load_moleculeace_seed()
    found: list[str] = []
    deadline = time.monotonic() + TIME_BUDGET_S
    scanned = 0
    truncated = False
    for smiles, mol in _seed_molecules():
        if len(found) >= limit or time.monotonic() > deadline:
            truncated = True
            break
        scanned += 1
        if mol.HasSubstructMatch(query):
            found.append(smiles)
    rows = df[df["smiles"].isin(found)]
    out = []
    for smiles in found:
        sel = rows[rows["smiles"] == smiles]
        acts = tuple(
            (str(t), str(a), float(v), float(p))
            for t, a, v, p in zip(
                sel["target"], sel["activity_type"], sel["value"], sel["p_activity"], strict=True
            )
        )
        out.append(SeedNeighbour(smiles=smiles, similarity=0.0, activities=acts))
    return out, scanned, truncated


def similar_seed(query: Chem.Mol, *, k: int, min_similarity: float) -> list[SeedNeighbour]:
    """The ``k`` nearest seed compounds (see :func:`nearest_seed_activities`)."""
    return nearest_seed_activities(query, k=k, min_similarity=min_similarity)
