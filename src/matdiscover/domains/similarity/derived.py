"""Derived per-formula data: anonymous formulas and composition embeddings.

Both depend only on ``reduced_formula``, so they are computed once per distinct formula
(vectorised, see ``matdiscover.science.embeddings``) and written with COPY. Used by the
0005 migration, the reference loader and, lazily, by similarity search for formulas
uploaded since.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import numpy as np
from sqlalchemy import Connection, Engine, text

from matdiscover.science.embeddings import (
    COMPOSITION_EMBEDDING_DIM,
    anonymous_formula,
    composition_embeddings,
)

logger = logging.getLogger(__name__)

BATCH = 50_000


def _safe_anonymous(formula: str) -> str | None:
    try:
        return anonymous_formula(formula)
    except Exception:
        return None


def fill_anonymous_formulas(conn: Connection) -> int:
    """Set ``materials.anonymous_formula`` where it is NULL; returns formulas computed."""
    formulas = list(
        conn.execute(
            text("SELECT DISTINCT reduced_formula FROM materials WHERE anonymous_formula IS NULL")
        ).scalars()
    )
    if not formulas:
        return 0
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE _anon (reduced_formula text PRIMARY KEY, anon text) ON COMMIT DROP"
        )
        with cur.copy("COPY _anon (reduced_formula, anon) FROM STDIN") as copy:
            for f in formulas:
                copy.write_row((f, _safe_anonymous(f)))
        cur.execute(
            "UPDATE materials m SET anonymous_formula = a.anon FROM _anon a "
            "WHERE m.reduced_formula = a.reduced_formula AND m.anonymous_formula IS NULL"
        )
        cur.execute("DROP TABLE _anon")
    return len(formulas)


_MISSING = (
    "SELECT DISTINCT m.reduced_formula FROM materials m WHERE NOT EXISTS "
    "(SELECT 1 FROM composition_embeddings e WHERE e.reduced_formula = m.reduced_formula)"
)


def missing_embedding_formulas(
    conn: Connection, *, organization_id: int | None = None
) -> list[str]:
    """Distinct reduced formulas of materials (optionally one tenant's) without embedding."""
    if organization_id is None:
        return list(conn.execute(text(_MISSING)).scalars())
    sql = text(_MISSING + " AND m.organization_id = :org")
    return list(conn.execute(sql, {"org": organization_id}).scalars())


HNSW_INDEX = "ix_composition_embeddings_hnsw"
#: Above this many new vectors the HNSW index is dropped and rebuilt (much faster than
#: inserting into it one by one).
REBUILD_ABOVE = 50_000


def _has_hnsw_index(conn: Connection) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :n"), {"n": HNSW_INDEX})
    return found.first() is not None


def _create_hnsw_index(conn: Connection) -> None:
    conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
    conn.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS {HNSW_INDEX} ON composition_embeddings "
            "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
    )


def backfill_derived(engine: Engine) -> dict[str, float]:
    """:func:`backfill_derived_columns` for a bulk load, in short transactions so that
    searches keep running: a big batch of embeddings is inserted with the HNSW index
    dropped in its own brief transaction (similarity falls back to exact search meanwhile)
    and the index is rebuilt after (a SHARE lock: reads go on)."""
    t0 = time.perf_counter()
    with engine.begin() as conn:
        n_anon = fill_anonymous_formulas(conn)
        todo = sorted(set(missing_embedding_formulas(conn)))
        rebuild = len(todo) > REBUILD_ABOVE and _has_hnsw_index(conn)
    t1 = time.perf_counter()
    if rebuild:
        with engine.begin() as conn:
            conn.execute(text(f"DROP INDEX IF EXISTS {HNSW_INDEX}"))
    try:
        with engine.begin() as conn:
            n_emb = _insert_embeddings(conn, todo)
    finally:
        if rebuild:
            with engine.begin() as conn:
                _create_hnsw_index(conn)
    logger.info("backfilled %s anonymous formulas, %s embeddings", n_anon, n_emb)
    return {
        "anonymous_formulas": n_anon,
        "anonymous_s": round(t1 - t0, 1),
        "embeddings": n_emb,
        "embeddings_s": round(time.perf_counter() - t1, 1),
    }


def insert_embeddings(conn: Connection, formulas: Iterable[str]) -> int:
    """Compute and store composition embeddings for ``formulas`` (existing ones kept)."""
    todo = sorted(set(formulas))
    if len(todo) <= REBUILD_ABOVE:
        return _insert_embeddings(conn, todo)
    has_index = _has_hnsw_index(conn)
    if has_index:
        conn.execute(text(f"DROP INDEX {HNSW_INDEX}"))
    n = _insert_embeddings(conn, todo)
    if has_index:
        _create_hnsw_index(conn)
    return n


def _insert_embeddings(conn: Connection, todo: list[str]) -> int:
    from pgvector.psycopg import register_vector

    if not todo:
        return 0
    driver = conn.connection.driver_connection
    assert driver is not None
    register_vector(driver)
    n = 0
    with driver.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _emb "
            f"(reduced_formula text, embedding vector({COMPOSITION_EMBEDDING_DIM}))"
        )
        cur.execute("TRUNCATE _emb")
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            vecs = _embed_tolerant(chunk)
            with cur.copy(
                "COPY _emb (reduced_formula, embedding) FROM STDIN WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["text", "vector"])
                for f, v in vecs:
                    copy.write_row((f, v))
                    n += 1
        cur.execute(
            "INSERT INTO composition_embeddings (reduced_formula, embedding) "
            "SELECT reduced_formula, embedding FROM _emb ON CONFLICT DO NOTHING"
        )
        cur.execute("DROP TABLE _emb")
    return n


def _embed_tolerant(formulas: list[str]) -> list[tuple[str, np.ndarray]]:
    """Embed a batch; formulas that fail to parse (or embed to zero) are skipped."""
    try:
        vecs = composition_embeddings(formulas)
        pairs = list(zip(formulas, vecs, strict=True))
    except Exception:
        pairs = []
        for f in formulas:
            try:
                pairs.append((f, composition_embeddings([f])[0]))
            except Exception:
                logger.debug("cannot embed %r", f)
    return [(f, v) for f, v in pairs if float(np.abs(v).sum()) > 0]


def backfill_derived_columns(conn: Connection) -> dict[str, float]:
    """Anonymous formulas and composition embeddings for every material lacking them."""
    t0 = time.perf_counter()
    n_anon = fill_anonymous_formulas(conn)
    t1 = time.perf_counter()
    n_emb = insert_embeddings(conn, missing_embedding_formulas(conn))
    t2 = time.perf_counter()
    logger.info("backfilled %s anonymous formulas, %s embeddings", n_anon, n_emb)
    return {
        "anonymous_formulas": n_anon,
        "anonymous_s": round(t1 - t0, 1),
        "embeddings": n_emb,
        "embeddings_s": round(t2 - t1, 1),
    }
