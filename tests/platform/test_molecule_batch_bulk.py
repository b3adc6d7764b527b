"""The batch's bulk store gives what the molecules service's row-by-row add gives."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matdiscover.domains.identity import Caller, Role
from matdiscover.domains.molecules import service as molecules
from matdiscover.domains.molecules.batch.bulk import add_molecules_bulk
from matdiscover.domains.molecules.models import Molecule, MoleculeActivity
from matdiscover.domains.organizations import service as organizations
from matdiscover.science.chemistry import Activity, MoleculeRow, parse_smiles
from tests.platform.test_molecule_batch import seed_smiles

SKIP = {"id", "organization_id", "created_at", "updated_at", "primary_activity_id"}


def rows() -> list[MoleculeRow]:
    """Seed molecules with activities, a repeat with a second activity, a salt of one of
    them (same parent), an unusable activity and a molecule without one."""
    smiles = seed_smiles()[:20]
    out = [
        MoleculeRow(
            row=i + 1,
            mol=parse_smiles(s),
            smiles=s,
            name=f"m{i}",
            activity=Activity(value=10.0 * (i + 1), unit="nM", type="Ki", target="T1"),
        )
        for i, s in enumerate(smiles)
    ]
    out.append(
        MoleculeRow(
            row=21,
            mol=parse_smiles(smiles[0]),
            smiles=smiles[0],
            activity=Activity(value=2.0, unit="nM", type="Ki", target="T2"),
        )
    )
    out.append(
        MoleculeRow(
            row=22,
            mol=parse_smiles("[Na+].[O-]C(=O)c1ccccc1O"),
            smiles="[Na+].[O-]C(=O)c1ccccc1O",
            name="salt",
        )
    )
    out.append(
        MoleculeRow(
            row=23,
            mol=parse_smiles("O=C(O)c1ccccc1O"),
            smiles="O=C(O)c1ccccc1O",
            activity=Activity(value=5.0, unit="furlongs", type="Ki"),
        )
    )
    out.append(
        MoleculeRow(
            row=24,
            mol=parse_smiles(smiles[1]),
            smiles=smiles[1],
            name="again",
            activity=Activity(value=20.0, unit="nM", type="Ki", target="T1"),
        )
    )
    return out


def stored(session: Session, organization_id: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in session.scalars(select(Molecule).where(Molecule.organization_id == organization_id)):
        acts = session.scalars(
            select(MoleculeActivity).where(MoleculeActivity.molecule_id == m.id)
        ).all()
        primary = next((a.dedupe_key for a in acts if a.id == m.primary_activity_id), None)
        out[m.inchikey] = (
            {k: v for k, v in m.__dict__.items() if not k.startswith("_") and k not in SKIP},
            sorted((a.dedupe_key, a.p_activity, a.p_relation) for a in acts),
            primary,
        )
    return out


def test_bulk_store_equals_row_by_row(session: Session) -> None:
    a = organizations.create_organization(session, name="Row by row")
    b = organizations.create_organization(session, name="Bulk")
    ca = Caller(organization_id=a.id, user_id=None, role=Role.researcher)
    cb = Caller(organization_id=b.id, user_id=None, role=Role.researcher)
    data = rows()
    slow = molecules.add_molecules(session, ca, data, source="batch")
    fast = add_molecules_bulk(session, cb, data, source="batch")
    strip = [
        (o.row, o.inchikey, o.created, o.activity_added, o.error, o.warning) for o in slow.outcomes
    ]
    assert [
        (o.row, o.inchikey, o.created, o.activity_added, o.error, o.warning) for o in fast.outcomes
    ] == strip
    assert fast.created == slow.created == 21  # 20 seeds + salicylic acid (salt = parent)
    assert any(o.warning for o in fast.outcomes)
    session.expire_all()
    assert stored(session, b.id) == stored(session, a.id)
    # again: everything is matched, nothing new is stored
    before = stored(session, b.id)
    again = add_molecules_bulk(session, cb, data, source="batch")
    assert again.created == 0 and not any(o.activity_added for o in again.outcomes)
    session.expire_all()
    assert stored(session, b.id) == before
