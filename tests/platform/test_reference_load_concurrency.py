"""A running server stays usable while the reference database loads: searches, similarity
and uploads never wait on the loader's locks for long."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from matdiscover.domains.reference import service as reference_service
from matdiscover.domains.similarity import derived

TABLES = ["aflow_debye_temperature", "expt_gap"]
READS = [
    "SELECT count(*) FROM materials WHERE organization_id IS NULL",
    "SELECT count(*) FROM material_formulas WHERE reduced_formula LIKE 'Li%'",
    "SELECT count(*) FROM composition_embeddings",
]


def test_reads_are_not_blocked_during_a_bulk_load(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reference_service, "BULK_ROWS", 0)  # drop and rebuild indexes
    monkeypatch.setattr(derived, "REBUILD_ABOVE", 0)  # drop and rebuild the HNSW index
    failures: list[str] = []
    done = threading.Event()

    def load() -> None:
        try:
            reference_service.load_reference(engine, tables=TABLES)
        finally:
            done.set()

    loader = threading.Thread(target=load)
    loader.start()
    polls = 0
    with engine.connect() as conn:
        conn.execute(text("SET lock_timeout = '500ms'"))
        while not done.is_set():
            for sql in READS:
                try:
                    conn.execute(text(sql)).scalar_one()
                except OperationalError as exc:
                    failures.append(f"{sql}: {str(exc.orig).splitlines()[0]}")
                    conn.rollback()
                    conn.execute(text("SET lock_timeout = '500ms'"))
                else:
                    conn.commit()
            polls += 1
            time.sleep(0.05)
    loader.join()
    assert polls >= 5, "the load finished before it could be observed"
    assert failures == []
    with engine.connect() as conn:
        assert conn.execute(text(READS[2])).scalar_one() > 0
