"""Load the bundled reference tables into ``materials`` (organization_id NULL, source
"reference"), idempotently: a table whose file hash is already recorded is skipped; a
changed file replaces that table's rows."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from psycopg.types.json import Jsonb
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from matdiscover.domains.materials.models import Material
from matdiscover.domains.reference.models import ReferenceLoad
from matdiscover.science.reference_data import data_dir
from matdiscover.science.reference_entries import (
    REFERENCE_TABLES,
    ReferenceTable,
    reference_entries,
)

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (table, rows done, rows total)

COPY_COLUMNS = (
    "organization_id, formula, reduced_formula, chemical_system, elements, nelements, "
    "source, source_database, source_id, properties, is_ordered, warnings, anonymous_formula"
)


@dataclass
class LoadReport:
    loaded: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    derived: dict[str, float] = field(default_factory=dict)

    @property
    def total_loaded(self) -> int:
        return sum(self.loaded.values())


def table_sha256(spec: ReferenceTable) -> str:
    path = data_dir() / "reference" / f"{spec.table}.parquet"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reference_status(session: Session) -> dict[str, int]:
    """Rows loaded per table name."""
    return {r.table_name: r.rows for r in session.scalars(select(ReferenceLoad)).all()}


def is_loaded(session: Session) -> bool:
    loaded = reference_status(session)
    return all(spec.table in loaded for spec in REFERENCE_TABLES)


@lru_cache(maxsize=1_000_000)
def _anonymous(reduced_formula: str) -> str | None:
    from matdiscover.science.embeddings import anonymous_formula

    try:
        return anonymous_formula(reduced_formula)
    except Exception:
        return None


def _copy_table(engine: Engine, spec: ReferenceTable, progress: Progress | None) -> int:
    from matdiscover.science.reference_data import load_table

    total = len(load_table(spec.table))
    n = 0
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        with driver.cursor() as cur:
            cur.execute(
                "DELETE FROM materials WHERE organization_id IS NULL AND source = 'reference' "
                "AND source_id LIKE %s",
                (spec.table + ":%",),
            )
            with cur.copy(f"COPY materials ({COPY_COLUMNS}) FROM STDIN") as copy:
                for entry in reference_entries(spec):
                    elements = list(entry["elements"])  # type: ignore[call-overload]
                    copy.write_row(
                        (
                            None,
                            entry["formula"],
                            entry["reduced_formula"],
                            "-".join(elements),
                            elements,
                            len(elements),
                            "reference",
                            entry["source_database"],
                            entry["source_id"],
                            Jsonb({str(entry["property"]): entry["value"]}),
                            True,
                            Jsonb([]),
                            _anonymous(str(entry["reduced_formula"])),
                        )
                    )
                    n += 1
                    if progress is not None and n % 20000 == 0:
                        progress(spec.table, n, total)
            cur.execute(
                "INSERT INTO reference_loads (table_name, sha256, rows, loaded_at) "
                "VALUES (%s, %s, %s, now()) ON CONFLICT (table_name) DO UPDATE "
                "SET sha256 = EXCLUDED.sha256, rows = EXCLUDED.rows, loaded_at = now()",
                (spec.table, table_sha256(spec), n),
            )
        driver.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    if progress is not None:
        progress(spec.table, n, total)
    return n


def load_reference(
    engine: Engine,
    *,
    tables: Sequence[str] | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> LoadReport:
    """Load (or refresh) the bundled reference tables; each table in its own transaction."""
    started = time.perf_counter()
    report = LoadReport()
    specs = [s for s in REFERENCE_TABLES if tables is None or s.table in tables]
    with Session(engine) as session:
        ledger = {r.table_name: r.sha256 for r in session.scalars(select(ReferenceLoad)).all()}
    for spec in specs:
        if not force and ledger.get(spec.table) == table_sha256(spec):
            report.skipped.append(spec.table)
            continue
        report.loaded[spec.table] = _copy_table(engine, spec, progress)
        logger.info("loaded %s reference rows from %s", report.loaded[spec.table], spec.table)
    if report.loaded:
        from matdiscover.domains.similarity.derived import backfill_derived_columns

        with engine.begin() as conn:
            # composition embeddings per new reduced formula (and any anonymous formula
            # still missing), then fresh planner statistics
            report.derived = backfill_derived_columns(conn)
            conn.execute(text("ANALYZE materials"))
            conn.execute(text("ANALYZE composition_embeddings"))
    report.seconds = time.perf_counter() - started
    return report


def count_reference(session: Session) -> int:
    from sqlalchemy import func

    return int(
        session.scalar(
            select(func.count()).select_from(Material).where(Material.organization_id.is_(None))
        )
        or 0
    )


__all__ = ["LoadReport", "count_reference", "is_loaded", "load_reference"]
