"""Molecules and their activities: add (idempotent by InChIKey), read, score, delete.

Every function filters by the caller's organisation explicitly (so it is also safe on the
unbound sessions workers use); another organisation's molecule is "not found".

Re-adding a molecule whose standard InChIKey the organisation already holds returns the
existing molecule (``created`` is false): its name is filled in when it had none (never
overwritten), and a given activity is added to it (the same activity twice is stored
once: activities are unique per molecule by their reported fields). So a batch chunk run
twice stores every row exactly once.

The **primary activity** (the one the efficiency indices and the score use) is the most
potent exact (``'='``) activity of the molecule, or the most potent censored one when none
is exact (ties: the earliest); it is re-chosen whenever an activity is added.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rdkit import Chem, DataStructs
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matdiscover.db.base import one_or_not_found
from matdiscover.domains.identity import Caller
from matdiscover.domains.molecules.models import Molecule, MoleculeActivity
from matdiscover.errors import InvalidInput
from matdiscover.science.chemistry import (
    Activity,
    Alert,
    InvalidActivity,
    MolecularDescriptors,
    MoleculeRow,
    ScoreSettings,
    describe,
    efficiency_indices,
    fingerprint,
    oqpla_score,
    p_activity,
    standardise,
)
from matdiscover.settings import Settings, get_settings

__all__ = [
    "ActivityMeta",
    "AddResult",
    "MoleculeRow",
    "RowOutcome",
    "activities_of",
    "add_activity",
    "add_molecules",
    "delete",
    "get",
    "new_activity",
    "score_settings",
]

#: longest text stored for an activity's target, type, unit, assay and document ids
FIELD_LIMITS = {"target": 100, "type": 50, "unit": 20, "assay_id": 100, "document_id": 100}


def score_settings(settings: Settings | None = None) -> ScoreSettings:
    """The O[Q/P/L]A weights and class thresholds configured for this installation."""
    s = settings or get_settings()
    return ScoreSettings(
        w_potency=s.molecule_score_w_potency,
        w_efficiency=s.molecule_score_w_efficiency,
        w_quality=s.molecule_score_w_quality,
        strong_threshold=s.molecule_score_strong,
        moderate_threshold=s.molecule_score_moderate,
    )


@dataclass(frozen=True)
class ActivityMeta:
    """Where an activity comes from (ChEMBL assay and document ids), if known."""

    assay_id: str | None = None
    document_id: str | None = None


@dataclass(frozen=True)
class RowOutcome:
    """What happened to one input row.

    ``molecule_id`` is ``None`` only when the row was not stored (``error`` says why);
    ``warning`` explains a kept row whose activity could not be used.
    """

    row: int
    molecule_id: int | None
    inchikey: str | None
    created: bool
    activity_added: bool = False
    error: str | None = None
    warning: str | None = None


@dataclass(frozen=True)
class AddResult:
    outcomes: tuple[RowOutcome, ...]

    @property
    def created(self) -> int:
        return sum(1 for o in self.outcomes if o.created)

    @property
    def stored(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.molecule_id is not None]

    @property
    def errors(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.error is not None]


# ------------------------------------------------------------------------ reading


def get(session: Session, molecule_id: int, *, organization_id: int) -> Molecule:
    statement = select(Molecule).where(
        Molecule.id == molecule_id, Molecule.organization_id == organization_id
    )
    return one_or_not_found(session, molecule_id, statement, f"molecule {molecule_id} not found")


def activities_of(session: Session, molecule: Molecule) -> list[MoleculeActivity]:
    """The molecule's activities, most potent first."""
    return list(
        session.scalars(
            select(MoleculeActivity)
            .where(
                MoleculeActivity.molecule_id == molecule.id,
                MoleculeActivity.organization_id == molecule.organization_id,
            )
            .order_by(MoleculeActivity.p_activity.desc(), MoleculeActivity.id)
        )
    )


def delete(session: Session, molecule_id: int, *, organization_id: int) -> None:
    """Delete a molecule with its activities."""
    session.delete(get(session, molecule_id, organization_id=organization_id))
    session.flush()


def alerts_of(molecule: Molecule) -> list[Alert]:
    """The stored alerts as science-core :class:`Alert` objects (atoms of the parent)."""
    return [
        Alert(
            catalog=a["catalog"],
            name=a["name"],
            family=a["family"],
            description=a["description"],
            atoms=tuple(int(i) for i in a["atoms"]),
        )
        for a in molecule.alerts
    ]


# ------------------------------------------------------------------------ scoring


def primary_activity(activities: Sequence[MoleculeActivity]) -> MoleculeActivity | None:
    """The most potent exact activity, else the most potent censored one (ties: earliest)."""
    exact = [a for a in activities if a.p_relation == "="]
    pool = exact or list(activities)
    if not pool:
        return None
    return max(pool, key=lambda a: (a.p_activity, -a.id))


def rescore(molecule: Molecule, activities: Sequence[MoleculeActivity], s: ScoreSettings) -> None:
    """Re-choose the primary activity and recompute indices and score from the stored
    descriptors and alerts."""
    desc = MolecularDescriptors(**molecule.descriptors)
    primary = primary_activity(activities)
    pa = primary.p_activity if primary else None
    score = oqpla_score(
        desc,
        p_activity=pa,
        alerts=alerts_of(molecule),
        censored=bool(primary and primary.p_relation != "="),
        settings=s,
    )
    indices: dict[str, Any] = {}
    if pa is not None:
        idx = efficiency_indices(
            pa,
            mw=desc.mw,
            tpsa=desc.tpsa,
            clogp=desc.clogp,
            heavy_atoms=desc.heavy_atoms,
            n_o_count=desc.n_o_count,
        )
        indices = dict(idx.__dict__)
    molecule.primary_activity_id = primary.id if primary else None
    molecule.p_activity = pa
    molecule.indices = indices
    molecule.score = score.as_dict()
    molecule.score_potency = score.potency
    molecule.score_efficiency = score.efficiency
    molecule.score_quality = score.quality
    molecule.score_total = score.total
    molecule.classification = score.classification


# ------------------------------------------------------------------------ writing


def _text(value: str | None, field: str) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > FIELD_LIMITS[field]:
        raise InvalidActivity(f"activity {field} is longer than {FIELD_LIMITS[field]} characters")
    return text


def _dedupe_key(values: Sequence[object]) -> str:
    return hashlib.sha256(repr(tuple(values)).encode()).hexdigest()


def new_activity(
    molecule: Molecule,
    activity: Activity,
    *,
    user_id: int | None,
    source: str = "user",
    meta: ActivityMeta | None = None,
) -> MoleculeActivity:
    """The activity row of ``molecule`` (already flushed: it has an id) that
    :func:`add_activity` stores for ``activity``, not added to any session.

    Raises:
        InvalidActivity: the value/unit cannot be converted to pActivity, or a text field
            is too long.
    """
    meta = meta or ActivityMeta()
    pa = p_activity(activity)
    fields = {
        "target": _text(activity.target, "target"),
        "type": _text(activity.type, "type"),
        "unit": _text(activity.unit, "unit") or "",
        "assay_id": _text(meta.assay_id, "assay_id"),
        "document_id": _text(meta.document_id, "document_id"),
    }
    value = float(activity.value)
    key = _dedupe_key(
        (fields["target"], fields["type"], activity.relation, value, fields["unit"])
        + (fields["assay_id"], fields["document_id"])
    )
    return MoleculeActivity(
        organization_id=molecule.organization_id,
        molecule_id=molecule.id,
        target=fields["target"],
        standard_type=fields["type"],
        relation=activity.relation,
        value=value,
        unit=fields["unit"],
        p_activity=pa.value,
        p_relation=pa.relation,
        assay_id=fields["assay_id"],
        document_id=fields["document_id"],
        source=source,
        dedupe_key=key,
        created_by_id=user_id,
    )


def add_activity(
    session: Session,
    molecule: Molecule,
    activity: Activity,
    *,
    user_id: int | None,
    source: str = "user",
    meta: ActivityMeta | None = None,
) -> tuple[MoleculeActivity, bool]:
    """Store one activity of ``molecule`` (``(row, created)``; the same reported activity
    again returns the stored row). Does not rescore: call :func:`rescore` after.

    Raises:
        InvalidActivity: the value/unit cannot be converted to pActivity, or a text field
            is too long.
    """
    row = new_activity(molecule, activity, user_id=user_id, source=source, meta=meta)
    key = row.dedupe_key
    found = session.scalar(
        select(MoleculeActivity).where(
            MoleculeActivity.molecule_id == molecule.id,
            MoleculeActivity.organization_id == molecule.organization_id,
            MoleculeActivity.dedupe_key == key,
        )
    )
    if found is not None:
        return found, False
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same activity stored concurrently
        stored = session.scalar(
            select(MoleculeActivity).where(
                MoleculeActivity.molecule_id == molecule.id, MoleculeActivity.dedupe_key == key
            )
        )
        if stored is None:
            raise
        return stored, False
    return row, True


def _alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "catalog": alert.catalog,
        "name": alert.name,
        "family": alert.family,
        "description": alert.description,
        "atoms": list(alert.atoms),
        "is_pains": alert.is_pains,
    }


def _new_molecule(row: MoleculeRow, *, caller: Caller, source: str) -> Molecule:
    std = standardise(row.mol)
    # descriptors, alerts and fingerprint of the molecule as its canonical SMILES reads back,
    # so that stored alert atom indices are those of Chem.MolFromSmiles(molecule.smiles)
    mol = Chem.MolFromSmiles(std.smiles) or std.mol
    d, alerts = describe(mol)  # descriptors(mol) and find_alerts(mol), one screen
    score = oqpla_score(d, p_activity=None, alerts=alerts)
    fp = DataStructs.BitVectToBinaryText(fingerprint(mol))
    return Molecule(
        organization_id=caller.organization_id,
        name=(row.name or "").strip()[:200] or None,
        input_smiles=row.smiles[:2000],
        smiles=std.smiles,
        inchikey=std.inchikey,
        changes=list(std.changes),
        descriptors=d.as_dict(),
        mw=d.mw,
        clogp=d.clogp,
        tpsa=d.tpsa,
        qed=d.qed,
        heavy_atoms=d.heavy_atoms,
        alerts=[_alert_json(a) for a in alerts],
        has_pains=any(a.is_pains for a in alerts),
        n_alerts=len(alerts),
        score_quality=score.quality,
        classification=score.classification,
        score=score.as_dict(),
        fingerprint=bytes(fp),
        source=source,
        created_by_id=caller.user_id,
    )


def _existing(session: Session, organization_id: int, inchikey: str) -> Molecule | None:
    return session.scalar(
        select(Molecule).where(
            Molecule.organization_id == organization_id, Molecule.inchikey == inchikey
        )
    )


def _store(session: Session, molecule: Molecule) -> tuple[Molecule, bool]:
    """Insert ``molecule`` or return the organisation's molecule of its InChIKey."""
    found = _existing(session, molecule.organization_id, molecule.inchikey)
    if found is not None:
        return found, False
    try:
        with session.begin_nested():
            session.add(molecule)
            session.flush()
    except IntegrityError:  # stored concurrently by another request or chunk
        found = _existing(session, molecule.organization_id, molecule.inchikey)
        if found is None:
            raise
        return found, False
    return molecule, True


def add_molecules(
    session: Session,
    caller: Caller,
    rows: Sequence[MoleculeRow],
    *,
    source: str,
    activity_source: str = "user",
    meta: Sequence[ActivityMeta | None] | None = None,
    score: ScoreSettings | None = None,
) -> AddResult:
    """Profile and store ``rows`` for the caller's organisation, idempotent by InChIKey.

    Each row's molecule is standardised and profiled; a molecule the organisation already
    holds is matched (see the module docstring), and the row's activity (if any) is added.
    A row whose molecule cannot be standardised is an error outcome (nothing stored for
    it); a row whose activity cannot be used keeps its molecule and gets a warning.
    Flushes, never commits; quotas are the caller's business.

    Args:
        session: any session (bound or not); every statement filters by organisation.
        caller: whose organisation and user the rows are stored for.
        rows: molecules from :func:`matdiscover.science.chemistry.read_molecules` (or
            built by hand with a sanitised ``mol``).
        source: ``'api'``, ``'upload'`` or ``'batch'`` (stored on new molecules).
        activity_source: ``'user'`` or ``'chembl-import'`` (stored on new activities).
        meta: per row, the activity's assay and document ids.
        score: O[Q/P/L]A settings (default: this installation's settings).
    """
    if source not in ("api", "upload", "batch"):
        raise InvalidInput(f"unknown molecule source {source!r}")
    s = score or score_settings()
    outcomes: list[RowOutcome] = []
    touched: dict[int, Molecule] = {}
    for i, row in enumerate(rows):
        try:
            candidate = _new_molecule(row, caller=caller, source=source)
        except InvalidInput as exc:
            outcomes.append(RowOutcome(row.row, None, None, False, error=exc.message))
            continue
        molecule, created = _store(session, candidate)
        if not created and molecule.name is None and candidate.name:
            molecule.name = candidate.name
        added, warning = False, None
        if row.activity is not None:
            try:
                _, added = add_activity(
                    session,
                    molecule,
                    row.activity,
                    user_id=caller.user_id,
                    source=activity_source,
                    meta=meta[i] if meta else None,
                )
            except InvalidActivity as exc:
                warning = f"activity not stored: {exc.message}"
        if created or added:
            touched[molecule.id] = molecule
        outcomes.append(
            RowOutcome(row.row, molecule.id, molecule.inchikey, created, added, None, warning)
        )
    for molecule in touched.values():
        rescore(molecule, activities_of(session, molecule), s)
    session.flush()
    return AddResult(tuple(outcomes))
