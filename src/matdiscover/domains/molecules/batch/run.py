"""Running a molecule batch: one chunk (map) and the final assembly (reduce).

A chunk's rows are profiled and stored as the molecules service's ``add_molecules`` does,
in bulk (:mod:`.bulk`): standardise, descriptors, alerts, pActivity, efficiency indices,
O[Q/P/L]A score; stored by InChIKey within the organisation, an existing molecule kept,
not duplicated. A molecule the standardiser refuses becomes a row error. In the same
transaction the chunk is completed through the jobs service (``complete_chunk``: marked
done, counted into the job and, after the last chunk, the reduce step queued). If the
chunk was completed before (a re-run after its worker died), the transaction is rolled
back: every row is stored exactly once.

``Job.params["steps"]`` counts rows per step: ``parsed`` (read into molecules at
submission), ``profiled`` (run through the profile, including rows it refused) and
``stored`` (stored or matched to the organisation's molecule of the same InChIKey); the
last two grow as chunks finish.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pandas as pd
from rdkit import Chem
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.engine import session_scope
from matdiscover.domains.identity import Caller, Role
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.molecules.batch.bulk import BulkResult, add_molecules_bulk
from matdiscover.domains.molecules.batch.submit import MOLECULE_BATCH_KIND, to_parquet
from matdiscover.domains.molecules.models import Molecule
from matdiscover.science.chemistry import Activity, MoleculeRow, ScoreSettings
from matdiscover.storage import ObjectStore

logger = logging.getLogger(__name__)

#: Columns of a chunk's results (one row per input row; ``error`` set for bad rows).
RESULT_COLUMNS = (
    "row_index",
    "smiles",
    "name",
    "identifier",
    "molecule_id",
    "created",
    "standard_smiles",
    "inchikey",
    "mw",
    "clogp",
    "tpsa",
    "hbd",
    "hba",
    "rotatable_bonds",
    "heavy_atoms",
    "qed",
    "alerts",
    "has_pains",
    "p_activity",
    "le",
    "lle",
    "sei",
    "bei",
    "nsei",
    "nbei",
    "score_potency",
    "score_efficiency",
    "score_quality",
    "score_total",
    "classification",
    "warnings",
    "error",
)


def is_molecule_batch(session: Session, job_id: int) -> bool:
    """Whether ``job_id`` is a molecule batch (the worker's chunk tasks dispatch on it)."""
    kind = session.scalar(select(jobs.Job.kind).where(jobs.Job.id == job_id))
    return kind == MOLECULE_BATCH_KIND


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _activity(row: Any) -> Activity | None:
    value = row.activity_value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Activity(
        value=float(value),
        unit=_text(row.activity_unit) or "",
        type=_text(row.activity_type),
        relation=_text(row.activity_relation) or "=",  # type: ignore[arg-type]
        target=_text(row.activity_target),
    )


def molecule_rows(frame: pd.DataFrame) -> list[MoleculeRow]:
    """The chunk's good rows as reader rows (the molecule from its RDKit binary form)."""
    return [
        MoleculeRow(
            row=int(r.row_index),
            mol=Chem.Mol(r.mol),
            smiles=_text(r.smiles) or "",
            name=_text(r.name),
            identifier=_text(r.identifier),
            activity=_activity(r),
        )
        for r in frame.itertuples(index=False)
        if _text(r.error) is None
    ]


def _molecule_columns(m: Molecule) -> dict[str, Any]:
    d, idx = dict(m.descriptors), dict(m.indices or {})
    return {
        "molecule_id": m.id,
        "standard_smiles": m.smiles,
        "inchikey": m.inchikey,
        "mw": m.mw,
        "clogp": m.clogp,
        "tpsa": m.tpsa,
        "hbd": d.get("hbd"),
        "hba": d.get("hba"),
        "rotatable_bonds": d.get("rotatable_bonds"),
        "heavy_atoms": m.heavy_atoms,
        "qed": m.qed,
        "alerts": "; ".join(f"{a['catalog']}:{a['family']}" for a in m.alerts) or None,
        "has_pains": bool(m.has_pains),
        "p_activity": m.p_activity,
        **{k: idx.get(k) for k in ("le", "lle", "sei", "bei", "nsei", "nbei")},
        "score_potency": m.score_potency,
        "score_efficiency": m.score_efficiency,
        "score_quality": m.score_quality,
        "score_total": m.score_total,
        "classification": m.classification,
    }


def profile_and_store(
    session: Session,
    caller: Caller,
    frame: pd.DataFrame,
    *,
    settings: ScoreSettings | None = None,
) -> tuple[pd.DataFrame, int]:
    """Profile and store a chunk's good rows for ``caller``'s organisation; the results
    table (input order) and how many rows were stored."""
    added = add_molecules_bulk(
        session, caller, molecule_rows(frame), source="batch", score=settings
    )
    outcomes = {o.row: o for o in added.outcomes}
    # the molecules the bulk store kept; the others (its row-by-row fallback) read back
    stored = dict(added.molecules) if isinstance(added, BulkResult) else {}
    ids = [
        o.molecule_id
        for o in added.outcomes
        if o.molecule_id is not None and o.molecule_id not in stored
    ]
    if ids:
        stored.update(
            (m.id, m)
            for m in session.scalars(
                select(Molecule).where(
                    Molecule.organization_id == caller.organization_id, Molecule.id.in_(ids)
                )
            )
        )
    out: list[dict[str, Any]] = []
    for r in frame.itertuples(index=False):
        row = int(r.row_index)
        base: dict[str, Any] = {
            "row_index": row,
            "smiles": _text(r.smiles) or "",
            "name": _text(r.name),
            "identifier": _text(r.identifier),
            "warnings": _text(r.warnings),
            "error": _text(r.error),
        }
        o = outcomes.get(row)
        if base["error"] is None and o is not None:
            if o.error is not None or o.molecule_id is None:
                base["error"] = f"standardisation: {o.error or 'not stored'}"
            else:
                base.update(_molecule_columns(stored[o.molecule_id]), created=o.created)
                if o.warning:
                    base["warnings"] = "; ".join(w for w in (base["warnings"], o.warning) if w)
        out.append(base)
    results = pd.DataFrame.from_records(out, columns=list(RESULT_COLUMNS))
    return results, len(added.stored)


def run_chunk(
    factory: sessionmaker[Session],
    store: ObjectStore,
    job_id: int,
    index: int,
    *,
    settings: ScoreSettings | None = None,
) -> dict[str, Any]:
    """Map step: profile and store one chunk's molecules and complete it, exactly once.

    A chunk that raises is marked failed (the job fails when its chunks have settled;
    ``POST /jobs/{id}/retry`` re-runs the failed ones).
    """
    with session_scope(factory) as session:
        work = jobs.start_chunk(session, job_id, index)
    if work is None:
        return {"job_id": job_id, "chunk": index, "skipped": True}
    try:
        frame = jobs.read_parquet_bytes(store.get(jobs.chunk_input_key(job_id, index)))
        with session_scope(factory) as session:
            # the owner as plain columns: a Job loaded now would not be refreshed by
            # complete_chunk's row lock, and its counters would overwrite other chunks'
            owner = session.execute(
                select(jobs.Job.organization_id, jobs.Job.created_by_id).where(
                    jobs.Job.id == job_id
                )
            ).one()
            caller = Caller(organization_id=owner[0], user_id=owner[1], role=Role.researcher)
            results, stored = profile_and_store(session, caller, frame, settings=settings)
            if not jobs.complete_chunk(session, store, job_id, index, results=results):
                session.rollback()  # done by an earlier run: store nothing twice
                return {"job_id": job_id, "chunk": index, "skipped": True}
            job = session.scalars(
                select(jobs.Job)
                .where(jobs.Job.id == job_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).one()
            profiled = int(frame["error"].isna().sum())
            steps = dict(job.params.get("steps") or {})
            steps["profiled"] = int(steps.get("profiled", 0)) + profiled
            steps["stored"] = int(steps.get("stored", 0)) + stored
            job.params = {**job.params, "steps": steps}
            session.flush()
    except Exception as exc:
        logger.exception("molecule chunk %s of job %s failed", index, job_id)
        with session_scope(factory) as session:
            jobs.fail_chunk(session, job_id, index, error=f"{type(exc).__name__}: {exc}")
        return {"job_id": job_id, "chunk": index, "error": str(exc)}
    errors = int(results["error"].notna().sum())
    return {"job_id": job_id, "chunk": index, "rows": len(results), "errors": errors}


def assemble(session: Session, store: ObjectStore, job_id: int) -> jobs.Job | None:
    """Reduce: concatenate the chunks' results in row order; write the results (CSV,
    Parquet: profiled rows) and the errors file (row, input, error)."""
    job = session.scalar(select(jobs.Job).where(jobs.Job.id == job_id).with_for_update())
    if job is None or job.status in jobs.TERMINAL:
        return job
    chunks = session.scalars(
        select(jobs.JobChunk).where(jobs.JobChunk.job_id == job_id).order_by(jobs.JobChunk.index)
    ).all()
    if any(c.status != jobs.JobStatus.succeeded for c in chunks):
        return job
    frames = [
        jobs.read_parquet_bytes(store.get(jobs.chunk_result_key(job_id, c.index))) for c in chunks
    ]
    results = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(results) != job.total or (
        len(results) and not results["row_index"].is_monotonic_increasing
    ):
        job.status = jobs.JobStatus.failed
        job.error = f"internal: assembled {len(results)} rows for {job.total} inputs"
        job.finished_at = jobs.now()
        return job
    ok = results[results["error"].isna()].drop(columns=["error"])
    bad = results[results["error"].notna()]
    store.put(jobs.result_key(job_id, "parquet"), to_parquet(ok))
    store.put(jobs.result_key(job_id, "csv"), _csv_safe(ok).to_csv(index=False).encode())
    errors = pd.DataFrame(
        {
            "row": bad["row_index"].astype(int).to_numpy(),
            "input": bad["smiles"].fillna("").astype(str).to_numpy(),
            "error": bad["error"].astype(str).to_numpy(),
        }
    )
    store.put(jobs.errors_key(job_id), to_parquet(errors))
    job.result_uri = store.url_for(jobs.result_key(job_id, "parquet"))
    job.status = jobs.JobStatus.succeeded
    job.finished_at = jobs.now()
    session.flush()
    return job


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (names and
    identifiers are neutralised by the reader already; SMILES never start so)."""
    out = frame.copy()
    for col in ("name", "identifier", "warnings"):
        if col in out:
            out[col] = out[col].map(
                lambda v: f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return out
