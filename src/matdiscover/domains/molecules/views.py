"""Read models of molecules built from rows, and the search that returns them (shared by
the API and the CLI)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from matdiscover.domains.molecules import search, service
from matdiscover.domains.molecules.models import Molecule
from matdiscover.domains.molecules.schemas import (
    ActivityRead,
    AlertRead,
    MoleculeHit,
    MoleculeRead,
    MoleculeSummary,
    SearchResult,
    SeedActivityRead,
    SeedNeighbourRead,
    score_read,
)
from matdiscover.errors import InvalidInput
from matdiscover.science.chemistry import SeedNeighbour, parse_smiles


def summary(m: Molecule) -> MoleculeSummary:
    return MoleculeSummary.model_validate(m, from_attributes=True)


def to_read(session: Session, m: Molecule, *, created: bool = False) -> MoleculeRead:
    return MoleculeRead(
        **summary(m).model_dump(),
        input_smiles=m.input_smiles,
        changes=list(m.changes),
        descriptors=m.descriptors,
        alerts=[AlertRead(**a) for a in m.alerts],
        score=score_read(m.score),
        primary_activity_id=m.primary_activity_id,
        activities=[ActivityRead.model_validate(a) for a in service.activities_of(session, m)],
        created=created,
    )


def seed_read(n: SeedNeighbour, *, similarity: bool = True) -> SeedNeighbourRead:
    return SeedNeighbourRead(
        smiles=n.smiles,
        similarity=n.similarity if similarity else None,
        activities=[
            SeedActivityRead(target=t, activity_type=a, value_nm=v, p_activity=p)
            for t, a, v, p in n.activities
        ],
    )


def hits_read(session: Session, organization_id: int, hits: list[search.Hit]) -> list[MoleculeHit]:
    out = []
    for hit in hits:
        m = service.get(session, hit.molecule_id, organization_id=organization_id)
        out.append(MoleculeHit(molecule=summary(m), similarity=hit.similarity))
    return out


def search_result(
    session: Session,
    *,
    organization_id: int,
    smarts: str | None,
    similar_to: str | None,
    k: int,
    min_similarity: float,
    scope: Literal["org", "seed", "all"],
) -> SearchResult:
    """Substructure (``smarts``) or similarity (``similar_to``) search, see the API docs.

    Raises:
        InvalidSmarts, InvalidMolecule: a bad pattern or query SMILES.
        InvalidInput: neither or both of ``smarts`` and ``similar_to``.
    """
    if (smarts is None) == (similar_to is None):
        raise InvalidInput("give exactly one of smarts and similar_to")
    org, seed = scope in ("org", "all"), scope in ("seed", "all")
    hits: list[search.Hit] = []
    seed_hits: list[SeedNeighbourRead] = []
    scanned, truncated = 0, False
    if smarts is not None:
        if org:
            hits, scanned, truncated = search.substructure_molecules(
                session, smarts, organization_id=organization_id, limit=k
            )
        if seed:
            found, n, cut = search.substructure_seed(smarts, limit=k)
            seed_hits = [seed_read(s, similarity=False) for s in found]
            scanned, truncated = scanned + n, truncated or cut
    else:
        assert similar_to is not None
        query = parse_smiles(similar_to)
        if org:
            hits, scanned = search.similar_molecules(
                session, query, organization_id=organization_id, k=k, min_similarity=min_similarity
            )
        if seed:
            found = search.similar_seed(query, k=k, min_similarity=min_similarity)
            seed_hits = [seed_read(s) for s in found]
    return SearchResult(
        mode="substructure" if smarts is not None else "similarity",
        scope=scope,
        molecules=hits_read(session, organization_id, hits),
        seed=seed_hits,
        scanned=scanned,
        truncated=truncated,
    )
