"""Nearest neighbours by composition or structure embedding (pgvector HNSW, cosine).

Composition: one mat2vec embedding per distinct reduced formula
(``composition_embeddings``); neighbours are formulas, joined back to the materials the
caller may see, one representative per formula. The query's own formula is excluded.

Structure: CHGNet's 64-d crystal feature vector in ``materials.structure_embedding``,
computed lazily here (for the query material and up to
:data:`LAZY_STRUCTURE_BATCH` of the caller's materials still missing one per request);
the upload worker may precompute them with :func:`ensure_structure_embeddings`.

Ownership: ``composition_embeddings`` is this domain's table (``models.py``, written by
``derived.py``); the ``materials`` rows, including their ``structure_embedding`` column,
are read and filtered only through ``materials.service`` (tenancy stays there).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from matdiscover.domains.compounds import service as compounds_service
from matdiscover.domains.materials import service as materials_service
from matdiscover.domains.materials.schemas import material_read
from matdiscover.domains.similarity import derived
from matdiscover.domains.similarity.models import CompositionEmbedding
from matdiscover.domains.similarity.schemas import SimilarBy, SimilarMaterial, SimilarPage
from matdiscover.errors import InvalidComposition, InvalidInput, InvalidStructure, NotFound
from matdiscover.science.embeddings import composition_embeddings

logger = logging.getLogger(__name__)

#: HNSW candidate list size: recall@20 ≥ 0.99 at 400k formulas (benchmarks/similarity.py).
EF_SEARCH = 100
#: pgvector's upper bound for ``hnsw.ef_search``.
MAX_EF_SEARCH = 1000
#: Structure embeddings computed lazily per request, at most.
LAZY_STRUCTURE_BATCH = 32
#: Candidates of the query's prototype checked with StructureMatcher per request, at most.
ISOSTRUCTURAL_CHECKS = 60


def _set_ef_search(session: Session, k: int) -> None:
    ef = min(max(EF_SEARCH, 2 * k), MAX_EF_SEARCH)
    session.execute(text(f"SET LOCAL hnsw.ef_search = {int(ef)}"))


def _ensure_formula_embeddings(session: Session, *, organization_id: int) -> None:
    conn = session.connection()
    formulas = derived.missing_embedding_formulas(conn, organization_id=organization_id)
    if formulas:
        derived.insert_embeddings(conn, formulas)


def backfill_derived(engine: Engine) -> dict[str, float]:
    """Anonymous formulas and composition embeddings (with the HNSW index) of every
    material still lacking them, in short transactions (for the reference load; see
    :func:`matdiscover.domains.similarity.derived.backfill_derived`)."""
    return derived.backfill_derived(engine)


def _formula_vector(formula: str) -> np.ndarray:
    try:
        vec = composition_embeddings([formula])[0]
    except InvalidComposition as exc:
        raise InvalidInput(exc.message) from exc
    if not np.abs(vec).sum():
        raise InvalidInput(f"no element of {formula!r} has an embedding")
    return vec


def by_composition(
    session: Session,
    vector: np.ndarray,
    *,
    organization_id: int,
    k: int = 20,
    exclude_formula: str | None = None,
) -> list[SimilarMaterial]:
    """The ``k`` visible formulas nearest to ``vector`` (one material each)."""
    _ensure_formula_embeddings(session, organization_id=organization_id)
    _set_ef_search(session, 3 * k + 10)
    fetch = 3 * k + 10
    dist = CompositionEmbedding.embedding.cosine_distance(vector.tolist())
    for _ in range(4):
        rows = session.execute(
            select(CompositionEmbedding.reduced_formula, dist.label("d"))
            .order_by(dist)
            .limit(fetch)
        ).all()
        distances = {f: float(d) for f, d in rows if f != exclude_formula}
        reps = materials_service.representatives_by_formula(
            session, list(distances), organization_id=organization_id
        )
        if len(reps) >= k or len(rows) < fetch:
            break
        fetch *= 4
    hits = [
        SimilarMaterial(
            material=material_read(m),
            distance=distances[m.reduced_formula],
            similarity=1 - distances[m.reduced_formula],
            entries=n,
        )
        for m, n in reps
    ]
    hits.sort(key=lambda h: (h.distance, h.material.id))
    return hits[:k]


def structure_features(structures: list[Any]) -> list[list[float] | None]:
    """CHGNet crystal features (64-d) per structure; ``None`` where CHGNet cannot run."""
    from matdiscover.science.models.chgnet_path import evaluate_structures
    from matdiscover.science.models.chgnet_path.evaluate import check_structure

    ok: list[int] = []
    for i, s in enumerate(structures):
        try:
            check_structure(s)
            ok.append(i)
        except InvalidStructure:
            continue
    out: list[list[float] | None] = [None] * len(structures)
    if ok:
        results = evaluate_structures([structures[i] for i in ok], forces=False)
        for i, res in zip(ok, results, strict=True):
            out[i] = [float(x) for x in res.crystal_features]
    return out


def ensure_structure_embeddings(
    session: Session,
    *,
    organization_id: int,
    material_ids: list[int] | None = None,
    limit: int = LAZY_STRUCTURE_BATCH,
) -> int:
    """Compute missing structure embeddings of the caller's materials; returns how many."""
    from pymatgen.core import Structure

    rows = materials_service.without_structure_embedding(
        session, organization_id=organization_id, material_ids=material_ids, limit=limit
    )
    if not rows:
        return 0
    feats = structure_features([Structure.from_dict(m.structure or {}) for m in rows])
    n = 0
    for m, f in zip(rows, feats, strict=True):
        if f is not None:
            m.structure_embedding = f
            n += 1
    session.flush()
    return n


def _isostructural(
    session: Session,
    vector: list[float],
    structure: Any,
    *,
    organization_id: int,
    k: int,
    exclude_id: int | None,
) -> list[SimilarMaterial]:
    """Up to ``k`` visible materials of the query's structure type: the same prototype
    formula and space group, confirmed with StructureMatcher, nearest embedding first."""
    from pymatgen.core import Structure

    from matdiscover.science.embeddings import anonymous_formula
    from matdiscover.science.structures import analyze_symmetry, same_structure_type

    sg = analyze_symmetry(structure).space_group_number
    if sg is None:
        return []
    rows = materials_service.nearest_of_prototype(
        session,
        vector,
        anonymous_formula=anonymous_formula(structure.composition.reduced_formula),
        space_group_number=sg,
        organization_id=organization_id,
        limit=ISOSTRUCTURAL_CHECKS,
        exclude_id=exclude_id,
    )
    hits: list[SimilarMaterial] = []
    for m, d in rows:
        if same_structure_type(structure, Structure.from_dict(m.structure or {})):
            hits.append(
                SimilarMaterial(
                    material=material_read(m),
                    distance=d,
                    similarity=1 - d,
                    entries=1,
                    isostructural=True,
                )
            )
            if len(hits) == k:
                break
    return hits


def by_structure(
    session: Session,
    vector: list[float],
    *,
    organization_id: int,
    k: int = 20,
    exclude_id: int | None = None,
    structure: Any | None = None,
) -> list[SimilarMaterial]:
    """The ``k`` visible materials most similar in structure to ``structure``: those of
    its structure type first (when ``structure`` is given), then the nearest by CHGNet
    features (which weigh chemistry as much as geometry)."""
    ensure_structure_embeddings(session, organization_id=organization_id)
    hits: list[SimilarMaterial] = []
    if structure is not None:
        hits = _isostructural(
            session,
            vector,
            structure,
            organization_id=organization_id,
            k=k,
            exclude_id=exclude_id,
        )
    seen = {h.material.id for h in hits}
    _set_ef_search(session, k + len(seen))
    session.execute(text("SET LOCAL hnsw.iterative_scan = strict_order"))
    rows = materials_service.nearest_by_structure_embedding(
        session, vector, organization_id=organization_id, k=k + len(seen), exclude_id=exclude_id
    )
    for m, d in rows:
        if len(hits) >= k:
            break
        if m.id in seen:
            continue
        hits.append(
            SimilarMaterial(
                material=material_read(m), distance=float(d), similarity=1 - float(d), entries=1
            )
        )
    return hits


def _with_compounds(
    session: Session,
    page: SimilarPage,
    *,
    formula: str | None,
    exclude_material: int | None = None,
) -> SimilarPage:
    """Each hit's known compound, the query's own compound and its other structures."""
    formulas = [h.material.reduced_formula for h in page.items]
    query_formula = _reduced(formula) if formula else None
    known = compounds_service.summaries(
        session, formulas + ([query_formula] if query_formula else [])
    )
    for hit in page.items:
        hit.compound = known.get(hit.material.reduced_formula)
    if query_formula and query_formula in known:
        page.query_compound = known[query_formula]
        page.other_structures = [
            s
            for s in compounds_service.known_structures(session, query_formula)
            if s.material_id != exclude_material
        ]
    return page


def similar_to_material(
    session: Session,
    material_id: int,
    *,
    organization_id: int,
    k: int = 20,
    by: SimilarBy = "composition",
) -> SimilarPage:
    """Neighbours of one visible material."""
    m = materials_service.get(session, material_id, organization_id=organization_id)
    if by == "composition":
        items = by_composition(
            session,
            _formula_vector(m.reduced_formula),
            organization_id=organization_id,
            k=k,
            exclude_formula=m.reduced_formula,
        )
        page = SimilarPage(by=by, query=str(material_id), items=items)
        return _with_compounds(session, page, formula=m.reduced_formula, exclude_material=m.id)
    if m.structure is None:
        raise NotFound(f"material {material_id} has no structure; use by=composition")
    if m.structure_embedding is None and m.organization_id == organization_id:
        ensure_structure_embeddings(session, organization_id=organization_id, material_ids=[m.id])
    from pymatgen.core import Structure

    if m.structure_embedding is None:
        (vec,) = structure_features([Structure.from_dict(m.structure)])
        if vec is None:
            raise InvalidInput(f"CHGNet cannot embed material {material_id}'s structure")
    else:
        vec = [float(x) for x in m.structure_embedding]
    items = by_structure(
        session,
        vec,
        organization_id=organization_id,
        k=k,
        exclude_id=m.id,
        structure=Structure.from_dict(m.structure),
    )
    page = SimilarPage(by=by, query=str(material_id), items=items)
    return _with_compounds(session, page, formula=m.reduced_formula, exclude_material=m.id)


def similar_to_input(
    session: Session,
    *,
    organization_id: int,
    formula: str | None = None,
    structure: Any | None = None,
    label: str = "",
    k: int = 20,
    by: SimilarBy = "composition",
) -> SimilarPage:
    """Neighbours of an inline formula or a parsed pymatgen structure (not stored)."""
    if structure is not None:
        formula = structure.composition.reduced_formula
    if formula is None:
        raise InvalidInput("give a formula or a structure")
    if by == "composition":
        items = by_composition(
            session,
            _formula_vector(formula),
            organization_id=organization_id,
            k=k,
            exclude_formula=_reduced(formula),
        )
        page = SimilarPage(by=by, query=label or formula, items=items)
        return _with_compounds(session, page, formula=formula)
    (vec,) = structure_features([structure])
    if vec is None:
        raise InvalidInput("CHGNet cannot embed this structure (disordered or Z > 94)")
    items = by_structure(session, vec, organization_id=organization_id, k=k, structure=structure)
    return _with_compounds(
        session, SimilarPage(by=by, query=label or formula, items=items), formula=formula
    )


def _reduced(formula: str) -> str | None:
    from pymatgen.core import Composition

    try:
        return Composition(formula).reduced_formula
    except Exception:
        return None
