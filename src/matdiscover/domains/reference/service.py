"""Load the bundled reference tables into ``materials`` (organization_id NULL, source
"reference"), idempotently: a table whose file hash is already recorded is skipped; a
changed file replaces that table's rows.

How a load runs (``load_reference``):

1. Every table to (re)load is COPYed into a temporary staging table (no indexes).
2. In ONE transaction: the replaced tables' old rows are deleted, the staged rows are
   inserted into ``materials`` in a fixed pseudo-random order (``md5(source_id)``) and
   the ledger is updated. An interrupted load leaves nothing behind and starts over.
   The interleaved order matters for search: rows of every source and property are
   spread evenly over the id range, as the planner assumes when it walks an index in
   id order until enough rows match (tables stored one after the other made such walks
   skip hundreds of thousands of rows).
3. A bulk load (more rows than ``materials`` holds) first drops the table's secondary
   indexes and rebuilds them afterwards (``maintenance_work_mem`` 1 GB, parallel
   workers): maintaining ~25 indexes row by row costs ~17x more than building them once.
   Indexes dropped by a load that was killed are rebuilt by the next ``load_reference``;
   until then :func:`is_loaded` is false, so ``serve`` starts the loader again.
4. Derived data (anonymous formulas, composition embeddings with their HNSW index), at
   the same time as the index rebuild (other tables, two connections), then
   ``VACUUM ANALYZE`` (statistics, and the visibility map that index-only scans need).
5. The shipped known structures (``reference/structures.py``): row-level incremental,
   in one transaction, with their own ledger entry ``known_structures``.
6. The compounds (``compounds/build.py``): all of them after a table load (or when none
   exist, e.g. after an upgrade), else only those of the formulas step 5 touched. Each
   step commits on its own; readers keep seeing the previous data until it does.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from psycopg import Cursor
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from matdiscover.domains.compounds import service as compounds_service
from matdiscover.domains.materials import service as materials_service
from matdiscover.domains.reference.models import ReferenceLoad
from matdiscover.domains.reference.structures import load_known_structures
from matdiscover.science.known_structures import (
    KNOWN_STRUCTURES_TABLE,
    known_structures_sha256,
)
from matdiscover.science.reference_data import data_dir, load_table
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
INSERT_STAGED = (
    f"INSERT INTO materials ({COPY_COLUMNS}) SELECT {COPY_COLUMNS} "  # noqa: S608 (constants)
    "FROM _reference_stage ORDER BY md5(source_id)"
)
#: A load of more rows than this, and than ``materials`` already holds, rebuilds the
#: secondary indexes instead of maintaining them row by row.
BULK_ROWS = 100_000


@dataclass
class LoadReport:
    loaded: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    derived: dict[str, float] = field(default_factory=dict)
    #: seconds per phase: stage (parse + COPY), insert, indexes, derived, vacuum
    phases: dict[str, float] = field(default_factory=dict)
    indexes_rebuilt: list[str] = field(default_factory=list)
    #: known structures: inserted / replaced / deleted / unchanged rows (None: not loaded)
    structures: dict[str, int] | None = None
    #: compounds inserted or changed by the rebuild
    compounds_changed: int = 0

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
    """Every bundled table is loaded and no index is missing (after a killed load)."""
    loaded = reference_status(session)
    if not all(spec.table in loaded for spec in REFERENCE_TABLES):
        return False
    if KNOWN_STRUCTURES_TABLE not in loaded:
        return False
    conn = session.connection()
    return not missing_indexes(conn) and not compounds_service.missing(conn)


# ------------------------------------------------------------------ indexes


#: The non-unique ``materials`` indexes this module drops and rebuilds (declared there).
secondary_indexes = materials_service.secondary_indexes


def _existing_indexes(conn: Connection) -> set[str]:
    rows = conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'materials'"))
    return {str(r[0]) for r in rows}


def missing_indexes(conn: Connection) -> list[str]:
    existing = _existing_indexes(conn)
    return [str(ix.name) for ix in secondary_indexes() if ix.name not in existing]


def _drop_secondary_indexes(engine: Engine) -> list[str]:
    with engine.begin() as conn:
        existing = _existing_indexes(conn)
        dropped = [str(ix.name) for ix in secondary_indexes() if ix.name in existing]
        for name in dropped:
            conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
    return dropped


def ensure_indexes(engine: Engine) -> list[str]:
    """Create the declared ``materials`` indexes that are missing; returns their names.

    Each index is built in its own transaction (a SHARE lock: reads go on, writes wait)
    with a large ``maintenance_work_mem`` and parallel workers.
    """
    with engine.connect() as conn:
        todo = set(missing_indexes(conn))
    built = []
    for ix in secondary_indexes():
        if ix.name not in todo:
            continue
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
            conn.execute(text("SET LOCAL max_parallel_maintenance_workers = 2"))
            ix.create(conn, checkfirst=False)
        logger.info("built index %s in %.1f s", ix.name, time.perf_counter() - t0)
        built.append(str(ix.name))
    return built


# ------------------------------------------------------------------ loading


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_field(value: str) -> str:
    """A value in COPY's text format."""
    return value.translate(_COPY_ESCAPES)


def _stage_table(cur: Cursor[Any], spec: ReferenceTable, progress: Progress | None) -> int:
    """COPY one table's entries into the staging table as text lines, in batches."""
    total = len(load_table(spec.table))
    n = 0
    lines: list[str] = []
    with cur.copy(f"COPY _reference_stage ({COPY_COLUMNS}) FROM STDIN") as copy:
        for entry in reference_entries(spec):
            elements: tuple[str, ...] = entry["elements"]  # type: ignore[assignment]
            text_fields = [
                str(entry["formula"]),
                str(entry["reduced_formula"]),
                str(entry["source_id"]),
                # a finite float's repr is its JSON (as json.dumps writes it)
                f'{{"{entry["property"]}": {entry["value"]!r}}}',
                str(entry["anonymous_formula"] or ""),
            ]
            if _NEEDS_ESCAPE.search("".join(text_fields)):
                text_fields = [_copy_field(v) for v in text_fields]
            formula, reduced, source_id, properties, anonymous = text_fields
            fields = (
                "\\N",  # organization_id
                formula,
                reduced,
                "-".join(elements),
                "{" + ",".join(elements) + "}",
                str(len(elements)),
                "reference",
                str(entry["source_database"]),
                source_id,
                properties,
                "t",
                "[]",
                anonymous if entry["anonymous_formula"] is not None else "\\N",
            )
            lines.append("\t".join(fields) + "\n")
            n += 1
            if len(lines) == 20_000:
                copy.write("".join(lines))
                lines.clear()
                if progress is not None:
                    progress(spec.table, n, total)
        copy.write("".join(lines))
    if progress is not None:
        progress(spec.table, n, total)
    return n


def _load_tables(
    engine: Engine, specs: list[ReferenceTable], progress: Progress | None, report: LoadReport
) -> dict[str, int]:
    """Stage, replace and insert ``specs`` in one transaction; rows per table."""
    loaded: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        with driver.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(
                "CREATE TEMP TABLE _reference_stage "
                "(LIKE materials INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            for spec in specs:
                loaded[spec.table] = _stage_table(cur, spec, progress)
            t1 = time.perf_counter()
            report.phases["stage_s"] = round(t1 - t0, 1)
            for spec in specs:
                cur.execute(
                    "DELETE FROM materials WHERE organization_id IS NULL "
                    "AND source = 'reference' AND source_id LIKE %s",
                    (spec.table + ":%",),
                )
            # the statement trigger fills material_formulas from the inserted rows. (Not
            # ALTER TABLE ... DISABLE TRIGGER: its exclusive lock, held to commit, would
            # stall every search and upload of a running server for the whole insert.)
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute(INSERT_STAGED)
            for spec in specs:
                cur.execute(
                    "INSERT INTO reference_loads (table_name, sha256, rows, loaded_at) "
                    "VALUES (%s, %s, %s, now()) ON CONFLICT (table_name) DO UPDATE "
                    "SET sha256 = EXCLUDED.sha256, rows = EXCLUDED.rows, loaded_at = now()",
                    (spec.table, table_sha256(spec), loaded[spec.table]),
                )
            report.phases["insert_s"] = round(time.perf_counter() - t1, 1)
        driver.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    return loaded


def _timed(fn: Callable[[Engine], list[str]], engine: Engine) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    result = fn(engine)
    return result, round(time.perf_counter() - t0, 1)


def _derived(engine: Engine) -> dict[str, float]:
    """Anonymous formulas still missing and composition embeddings of new formulas
    (with their HNSW index, rebuilt in one go above 50 k new vectors)."""
    from matdiscover.domains.similarity import service as similarity_service

    return similarity_service.backfill_derived(engine)


def _vacuum(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("materials", "material_formulas", "composition_embeddings"):
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))


def _load_structures(engine: Engine, *, force: bool, report: LoadReport) -> set[str] | None:
    """Load the shipped known structures if their file changed (one transaction);
    returns the reduced formulas touched, or ``None`` when already up to date."""
    sha = known_structures_sha256()
    with engine.connect() as conn:
        ledger = conn.execute(
            text("SELECT sha256 FROM reference_loads WHERE table_name = :t"),
            {"t": KNOWN_STRUCTURES_TABLE},
        ).scalar()
    if ledger == sha and not force:
        report.skipped.append(KNOWN_STRUCTURES_TABLE)
        return None
    t0 = time.perf_counter()
    with engine.begin() as conn:
        done = load_known_structures(conn)
        rows = done.inserted + done.replaced + done.unchanged
        conn.execute(
            text(
                "INSERT INTO reference_loads (table_name, sha256, rows, loaded_at) "
                "VALUES (:t, :sha, :rows, now()) ON CONFLICT (table_name) DO UPDATE "
                "SET sha256 = EXCLUDED.sha256, rows = EXCLUDED.rows, loaded_at = now()"
            ),
            {"t": KNOWN_STRUCTURES_TABLE, "sha": sha, "rows": rows},
        )
    report.structures = {
        "inserted": done.inserted,
        "replaced": done.replaced,
        "deleted": done.deleted,
        "unchanged": done.unchanged,
    }
    report.loaded[KNOWN_STRUCTURES_TABLE] = done.inserted + done.replaced
    report.phases["structures_s"] = round(time.perf_counter() - t0, 1)
    return done.formulas


def _rebuild_compounds(
    engine: Engine, *, everything: bool, formulas: set[str] | None, report: LoadReport
) -> None:
    """Rebuild every compound after a table load (or when none exist yet), else only
    those of the formulas the structures load touched."""
    t0 = time.perf_counter()
    with engine.begin() as conn:
        if everything or compounds_service.missing(conn):
            report.compounds_changed = compounds_service.rebuild(conn)
        elif formulas:
            report.compounds_changed = compounds_service.rebuild(conn, sorted(formulas))
        else:
            return
    report.phases["compounds_s"] = round(time.perf_counter() - t0, 1)


def load_reference(
    engine: Engine,
    *,
    tables: Sequence[str] | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> LoadReport:
    """Load (or refresh) the bundled reference tables (see the module docstring)."""
    started = time.perf_counter()
    report = LoadReport()
    specs = [s for s in REFERENCE_TABLES if tables is None or s.table in tables]
    with Session(engine) as session:
        ledger = {r.table_name: r.sha256 for r in session.scalars(select(ReferenceLoad)).all()}
    todo = []
    for spec in specs:
        if not force and ledger.get(spec.table) == table_sha256(spec):
            report.skipped.append(spec.table)
        else:
            todo.append(spec)
    if todo:
        incoming = sum(len(load_table(s.table)) for s in todo)
        with engine.connect() as conn:
            present = int(conn.execute(text("SELECT count(*) FROM materials")).scalar_one())
        if incoming > max(present, BULK_ROWS):
            dropped = _drop_secondary_indexes(engine)
            logger.info("bulk load of %s rows: dropped %s indexes", incoming, len(dropped))
        try:
            report.loaded = _load_tables(engine, todo, progress, report)
        except BaseException:
            ensure_indexes(engine)
            raise
        for table, n in report.loaded.items():
            logger.info("loaded %s reference rows from %s", n, table)
        # The materials indexes and the composition embeddings of the new formulas (own
        # table, own HNSW index) are independent: build them at the same time, on two
        # connections (the embedding computation in Python overlaps the index builds).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reference-indexes") as pool:
            indexes = pool.submit(_timed, ensure_indexes, engine)
            t0 = time.perf_counter()
            report.derived = _derived(engine)
            report.phases["derived_s"] = round(time.perf_counter() - t0, 1)
            report.indexes_rebuilt, report.phases["indexes_s"] = indexes.result()
        t1 = time.perf_counter()
        _vacuum(engine)
        report.phases["vacuum_s"] = round(time.perf_counter() - t1, 1)
    else:
        # repair after a load that was killed between dropping and rebuilding indexes
        report.indexes_rebuilt = ensure_indexes(engine)
    formulas = None
    if tables is None or KNOWN_STRUCTURES_TABLE in tables:
        formulas = _load_structures(engine, force=force, report=report)
        if formulas:
            report.derived |= _derived(engine)  # composition embeddings of new formulas
    _rebuild_compounds(engine, everything=bool(todo), formulas=formulas, report=report)
    if todo or formulas:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) compounds"))
    report.seconds = time.perf_counter() - started
    return report


__all__ = [
    "LoadReport",
    "ensure_indexes",
    "is_loaded",
    "load_reference",
    "missing_indexes",
    "secondary_indexes",
]
