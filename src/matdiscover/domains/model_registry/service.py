"""Model registry service: list, read, register, promote, roll back, and load the model
an organisation's predictions use.

Every function filters by ``organization_id`` itself (workers use unbound sessions); a
version of another organisation is not found. Services flush; the caller commits.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matdiscover.db.base import one_or_not_found
from matdiscover.domains.model_registry.models import ModelVersion
from matdiscover.domains.model_registry.schemas import ActiveModelRead, ModelVersionRead
from matdiscover.errors import Conflict, InvalidInput, NotFound
from matdiscover.science.models.composition import CompositionModel
from matdiscover.science.models.registry import list_model_cards
from matdiscover.storage import ObjectStore

log = logging.getLogger(__name__)

#: The weights of a fine-tuned structure model (``torch.save`` of its state).
STRUCTURE_ARTIFACT = "chgnet.pt"
#: Files of an artifact folder copied to and from the object store.
ARTIFACT_FILES = ("model.json.xz", "mlp.npz", STRUCTURE_ARTIFACT, "card.json")


def artifact_prefix(organization_id: int, prop: str, version: int) -> str:
    """Object-store key prefix of a version's artifact folder."""
    return f"models/org-{organization_id}/{prop}/v{version}"


# ------------------------------------------------------------------------------ read


def shipped_versions(*, prop: str | None = None) -> list[dict[str, Any]]:
    """The shipped model cards (optionally of one property)."""
    return [c for c in list_model_cards() if prop is None or c.get("property") == prop]


def get(session: Session, version_id: int, *, organization_id: int) -> ModelVersion:
    statement = select(ModelVersion).where(
        ModelVersion.id == version_id, ModelVersion.organization_id == organization_id
    )
    return one_or_not_found(session, version_id, statement, f"model version {version_id} not found")


def list_versions(
    session: Session, *, organization_id: int, prop: str | None = None
) -> list[ModelVersion]:
    """The organisation's versions, newest first."""
    statement = select(ModelVersion).where(ModelVersion.organization_id == organization_id)
    if prop is not None:
        statement = statement.where(ModelVersion.property == prop)
    return list(
        session.scalars(statement.order_by(ModelVersion.property, ModelVersion.version.desc()))
    )


def active_versions(session: Session, *, organization_id: int) -> dict[str, ModelVersion]:
    """The organisation's active version per property (properties without one use the
    shipped model)."""
    rows = session.scalars(
        select(ModelVersion).where(
            ModelVersion.organization_id == organization_id, ModelVersion.status == "active"
        )
    ).all()
    return {r.property: r for r in rows}


def to_read(row: ModelVersion) -> ModelVersionRead:
    return ModelVersionRead(
        id=row.id,
        source="organization",
        name=row.name,
        property=row.property,
        method=row.method,
        unit=row.unit,
        version=row.version_label,
        number=row.version,
        status=row.status,  # type: ignore[arg-type]
        in_use=row.status == "active",
        base_name=row.base_name,
        base_version=row.base_version,
        artifact_uri=row.artifact_uri,
        data_fingerprint=row.data_fingerprint,
        metrics=row.metrics or {},
        card=row.card or {},
        job_id=row.job_id,
        created_by_id=row.created_by_id,
        created_at=row.created_at,
        activated_at=row.activated_at,
    )


def shipped_read(card: dict[str, Any], *, in_use: bool) -> ModelVersionRead:
    return ModelVersionRead(
        source="shipped",
        name=str(card.get("name")),
        property=str(card.get("property")),
        method=str(card.get("method", "composition")),
        unit=str(card.get("unit", "")),
        version=str(card.get("version")),
        status="shipped",
        in_use=in_use,
        metrics=dict(card.get("metrics_test") or card.get("metrics") or {}),
        card=card,
    )


def catalogue(
    session: Session, *, organization_id: int, prop: str | None = None
) -> list[ModelVersionRead]:
    """The organisation's versions, then the shipped models (read-only), each marked
    ``in_use`` when the organisation's predictions use it."""
    rows = list_versions(session, organization_id=organization_id, prop=prop)
    active = {r.property for r in rows if r.status == "active"}
    return [to_read(r) for r in rows] + [
        shipped_read(c, in_use=c.get("property") not in active) for c in shipped_versions(prop=prop)
    ]


# ------------------------------------------------------------------------------ write


def register(
    session: Session,
    *,
    organization_id: int,
    prop: str,
    name: str,
    unit: str,
    base_name: str | None,
    base_version: str | None,
    card: dict[str, Any],
    metrics: dict[str, Any],
    data_fingerprint: str | None,
    job_id: int | None,
    user_id: int | None,
    method: str = "composition",
) -> ModelVersion:
    """A new ``candidate`` version with the next number (artifact stored afterwards with
    :func:`store_artifact`)."""
    latest = session.scalar(
        select(func.max(ModelVersion.version)).where(
            ModelVersion.organization_id == organization_id, ModelVersion.property == prop
        )
    )
    row = ModelVersion(
        organization_id=organization_id,
        name=name,
        property=prop,
        method=method,
        unit=unit,
        version=(latest or 0) + 1,
        version_label="pending",
        base_name=base_name,
        base_version=base_version,
        card=card,
        metrics=metrics,
        data_fingerprint=data_fingerprint,
        status="candidate",
        job_id=job_id,
        created_by_id=user_id,
    )
    session.add(row)
    session.flush()
    row.version_label = version_label(base_version, row.id)
    session.flush()
    return row


def version_label(base_version: str | None, version_id: int) -> str:
    """The ``model_version`` predictions record: unique per registry row.

    >>> version_label("1.0.0", 12)
    '1.0.0+ft.12'
    """
    return f"{base_version or '0'}+ft.{version_id}"


def store_artifact(store: ObjectStore, row: ModelVersion, folder: Path) -> None:
    """Copy an artifact folder into the object store and record where it is."""
    prefix = artifact_prefix(row.organization_id, row.property, row.version)
    for name in ARTIFACT_FILES:
        path = folder / name
        if path.is_file():
            store.put(f"{prefix}/{name}", path.read_bytes())
    row.artifact_key = prefix
    row.artifact_uri = store.url_for(prefix)


def artifact_file(
    session: Session, store: ObjectStore, version_id: int, name: str, *, organization_id: int
) -> bytes:
    """One file of a version's stored artifact (``name`` one of :data:`ARTIFACT_FILES`)."""
    row = get(session, version_id, organization_id=organization_id)
    if name not in ARTIFACT_FILES:
        raise InvalidInput(f"unknown artifact file {name!r}; one of {', '.join(ARTIFACT_FILES)}")
    key = f"{row.artifact_key}/{name}"
    if row.artifact_key is None or not store.exists(key):
        raise NotFound(f"model version {version_id} has no {name}")
    return store.get(key)


def promote(session: Session, version_id: int, *, organization_id: int) -> ModelVersion:
    """Make a version the organisation's active one for its property (from the next
    prediction on); the previously active version is retired and remembered for
    :func:`rollback`."""
    row = _locked(session, version_id, organization_id=organization_id)
    if row.status == "active":
        raise Conflict(f"model version {version_id} is already active")
    if row.artifact_key is None:
        raise Conflict(f"model version {version_id} has no stored artifact")
    if row.method != "composition":
        raise Conflict(
            f"model version {version_id} is a fine-tuned structure model: predictions do not "
            "use those yet (their energies are on your calculations' scale, which has no "
            "elemental references for formation energies); download its weights instead"
        )
    current = active_versions(session, organization_id=organization_id).get(row.property)
    now = datetime.now(UTC)
    if current is not None:
        current.status = "retired"
        current.retired_at = now
        session.flush()
    row.status = "active"
    row.activated_at = now
    row.retired_at = None
    row.replaced_id = current.id if current is not None else None
    session.flush()
    return row


def rollback(session: Session, prop: str, *, organization_id: int) -> ActiveModelRead:
    """Retire the active version of ``prop`` and restore the one it replaced (the shipped
    model when it replaced none)."""
    current = active_versions(session, organization_id=organization_id).get(prop)
    if current is None:
        raise Conflict(f"{prop} already uses the shipped model; nothing to roll back")
    current = _locked(session, current.id, organization_id=organization_id)
    now = datetime.now(UTC)
    current.status = "retired"
    current.retired_at = now
    session.flush()
    previous = None
    if current.replaced_id is not None:
        previous = session.scalar(
            select(ModelVersion).where(
                ModelVersion.id == current.replaced_id,
                ModelVersion.organization_id == organization_id,
            )
        )
    if previous is not None and previous.artifact_key is not None:
        previous.status = "active"
        previous.activated_at = now
        previous.retired_at = None
        session.flush()
        return ActiveModelRead(property=prop, version=to_read(previous))
    cards = shipped_versions(prop=prop)
    if not cards:
        raise NotFound(f"no shipped model for {prop}")
    return ActiveModelRead(property=prop, version=shipped_read(cards[0], in_use=True))


def _locked(session: Session, version_id: int, *, organization_id: int) -> ModelVersion:
    statement = (
        select(ModelVersion)
        .where(ModelVersion.id == version_id, ModelVersion.organization_id == organization_id)
        .with_for_update()
    )
    return one_or_not_found(session, version_id, statement, f"model version {version_id} not found")


# ------------------------------------------------------------------------------ load

_cache: dict[int, CompositionModel] = {}
_lock = threading.Lock()


def load_model(row: ModelVersion, store: ObjectStore, *, cache_dir: Path) -> CompositionModel:
    """The version's composition model (downloaded once per process into ``cache_dir``)."""
    if row.method != "composition" or row.artifact_key is None:
        raise InvalidInput(f"model version {row.id} has no composition-model artifact")
    with _lock:
        hit = _cache.get(row.id)
        if hit is not None:
            return hit
        folder = cache_dir / f"version-{row.id}"
        tmp = cache_dir / f".version-{row.id}.tmp"
        if not (folder / "model.json.xz").is_file():
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            for name in ARTIFACT_FILES:
                key = f"{row.artifact_key}/{name}"
                if store.exists(key):
                    (tmp / name).write_bytes(store.get(key))
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
        model = CompositionModel.from_file(folder / "model.json.xz")
        _cache[row.id] = model
        return model


def models_in_use(
    session: Session,
    store: ObjectStore,
    *,
    organization_id: int,
    properties: Sequence[str],
    cache_dir: Path,
) -> dict[str, CompositionModel]:
    """The organisation's active composition models among ``properties`` (by property);
    a version whose artifact cannot be loaded is logged and skipped (shipped model used)."""
    out: dict[str, CompositionModel] = {}
    for prop, row in active_versions(session, organization_id=organization_id).items():
        if prop not in properties:
            continue
        try:
            out[prop] = load_model(row, store, cache_dir=cache_dir)
        except Exception:
            log.exception("model version %s could not be loaded; using the shipped model", row.id)
    return out
