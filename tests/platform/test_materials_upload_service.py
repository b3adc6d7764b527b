"""``materials.service.upload`` and ``predictions.service.predict`` own their rules.

The routers only parse and map (issue 11): these tests call the services directly, with a
real session on the embedded PostgreSQL and no HTTP, and check every rule of an upload
(file count, total and per-file size, storage quota before anything is written, the
rollback of a failed upload, the automatic predictions and their quota) and of an inline
prediction (its quota charge).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from matdiscover.db.engine import make_session_factory
from matdiscover.domains.materials import service as materials
from matdiscover.domains.organizations.models import Plan
from matdiscover.domains.predictions import service as predictions
from matdiscover.domains.predictions.schemas import PredictionRequest
from matdiscover.domains.usage import service as usage
from matdiscover.errors import InputTooLarge, InvalidInput, QuotaExceeded
from matdiscover.science.io import write_structure
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows
from tests.platform.tenants import make_org
from tests.platform.test_materials_api import rocksalt

CIF = write_structure(rocksalt(), "cif").encode()
LIMITS = {"free_academic": {"predictions_per_month": 2, "storage_bytes": 20_000}}


def streams(*files: tuple[str, bytes]) -> list[tuple[str | None, BinaryIO]]:
    return [(name, io.BytesIO(data)) for name, data in files]


@pytest.fixture()
def org_session(engine: Engine) -> Iterator[tuple[int, Session]]:
    org = make_org(engine, "Upload U", Plan.free_academic)
    with make_session_factory(engine)() as session:
        yield org.id, session


def upload_settings(db_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"auto_predict": False, "plan_limits": LIMITS, **overrides}
    data_dir = tmp_path / "data"
    return Settings(database_url=db_url, data_dir=data_dir, **values)  # type: ignore[arg-type]


def queued_predictions(session: Session) -> int:
    return int(
        session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t"),
            {"t": "matdiscover.predict_material"},
        )
        or 0
    )


def test_upload_stores_valid_structures_and_reports_oversized_files(
    org_session: tuple[int, Session], db_url: str, tmp_path: Path, engine: Engine
) -> None:
    org, session = org_session
    settings = upload_settings(db_url, tmp_path, max_file_bytes=2048)
    big = b"data_x\n" + b"# padding\n" * 300  # a plain file over max_file_bytes
    outcome = materials.upload(
        session,
        streams(("../../NaCl.cif", CIF), ("big.cif", big)),
        organization_id=org,
        user_id=None,
        settings=settings,
    )
    session.commit()
    assert [label for _, label in outcome.created] == ["NaCl.cif"]  # name sanitised
    assert [name for name, _ in outcome.errors] == ["big.cif"]
    assert "the limit per structure file is" in outcome.errors[0][1]
    stored = materials.stored_bytes(outcome.created[0][0])
    assert usage.used(session, org, usage.STORAGE, None) == stored > 0
    assert count_rows(engine, "materials") == 1


def test_refused_uploads_write_nothing(
    org_session: tuple[int, Session], db_url: str, tmp_path: Path, engine: Engine
) -> None:
    org, session = org_session
    settings = upload_settings(db_url, tmp_path, max_files_per_upload=2, max_upload_bytes=4096)

    def attempt(*files: tuple[str, bytes]) -> materials.IngestOutcome:
        try:
            return materials.upload(
                session, streams(*files), organization_id=org, user_id=None, settings=settings
            )
        finally:
            session.commit()

    with pytest.raises(InputTooLarge, match="too many files"):
        attempt(("a.cif", CIF), ("b.cif", CIF), ("c.cif", CIF))
    with pytest.raises(InputTooLarge, match="upload exceeds the limit"):
        attempt(("a.cif", CIF), ("b.cif", b"#" * 4096))
    unreadable = attempt(("bad.cif", b"data_bad\n_cell 5\n"))
    assert unreadable.created == [] and [n for n, _ in unreadable.errors] == ["bad.cif"]
    assert count_rows(engine, "materials") == 0
    assert usage.used(session, org, usage.STORAGE, None) == 0

    # the storage quota is checked on the accepted bytes before any row is written
    tight = upload_settings(
        db_url, tmp_path, plan_limits={"free_academic": {"storage_bytes": len(CIF) - 1}}
    )
    with pytest.raises(QuotaExceeded):
        materials.upload(
            session, streams(("a.cif", CIF)), organization_id=org, user_id=None, settings=tight
        )
    session.rollback()
    assert count_rows(engine, "materials") == 0


def test_automatic_predictions_are_queued_within_the_quota(
    org_session: tuple[int, Session], db_url: str, tmp_path: Path
) -> None:
    org, session = org_session
    settings = upload_settings(db_url, tmp_path, auto_predict=True)
    one = materials.upload(
        session, streams(("a.cif", CIF)), organization_id=org, user_id=None, settings=settings
    )
    session.commit()
    assert len(one.created) == 1 and queued_predictions(session) == 1
    assert usage.used(session, org, usage.PREDICTION, None) == 1
    # two more structures do not fit the 2-a-month quota: stored, not predicted
    more = materials.upload(
        session,
        streams(("b.cif", CIF), ("c.cif", CIF)),
        organization_id=org,
        user_id=None,
        settings=settings,
    )
    session.commit()
    assert len(more.created) == 2 and queued_predictions(session) == 1
    assert usage.used(session, org, usage.PREDICTION, None) == 1


def test_predict_charges_the_quota_and_checks_the_request(
    org_session: tuple[int, Session], db_url: str, tmp_path: Path, engine: Engine
) -> None:
    org, session = org_session
    settings = upload_settings(db_url, tmp_path)
    formula = PredictionRequest(formula="NaCl", properties=["band_gap"])
    outcome = predictions.predict(
        session, formula, organization_id=org, user_id=None, settings=settings
    )
    session.commit()
    assert outcome.material_id is None and outcome.rows == []
    assert [p.property for p in outcome.report.predictions] == ["band_gap"]
    with pytest.raises(InvalidInput, match="relax needs a structure"):
        predictions.predict(
            session,
            PredictionRequest(formula="NaCl", relax=True),
            organization_id=org,
            user_id=None,
            settings=settings,
        )
    session.rollback()  # the refused request's charge goes with its transaction
    predictions.predict(session, formula, organization_id=org, user_id=None, settings=settings)
    session.commit()
    assert usage.used(session, org, usage.PREDICTION, None) == 2
    with pytest.raises(QuotaExceeded):
        predictions.predict(session, formula, organization_id=org, user_id=None, settings=settings)
    session.rollback()
    assert count_rows(engine, "predictions") == 0  # inline results are returned, not stored
