"""Submitting a molecule batch: read and check the file at the boundary, split it into
chunks, queue them (one transaction), then write the chunk files.

The file is read with :func:`matdiscover.science.chemistry.read_molecules` and its limits
(10 MB, 200 heavy atoms, ...): a file that is not a molecule file at all is refused at
once (400/413); a bad row becomes a row of the job with its error, so the job's error
report lists it with the reader's row number next to the rows the worker could not
profile. Rows are numbered as the reader numbers them: 1-based physical lines for SMILES
lists and CSV/TSV tables (the header is line 1), 1-based records for SDF/MOL.

Each chunk's file carries, per row, the sanitised molecule in RDKit's binary form (the
worker does not parse the SMILES again), its name, identifier, the row's activity and the
reader's warnings.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from typing import Any, Literal

import pandas as pd
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from matdiscover.domains import tasks
from matdiscover.domains.jobs import service as jobs
from matdiscover.errors import InvalidInput
from matdiscover.science.chemistry import InputIssue, MoleculeInput, read_molecules
from matdiscover.science.chemistry.inputs import DEFAULT_MAX_BYTES
from matdiscover.storage import ObjectStore

logger = logging.getLogger(__name__)

#: ``Job.kind`` of a molecule batch.
MOLECULE_BATCH_KIND = "molecule_batch"
#: Rows per chunk: about 3 s of work per chunk on one CPU (12 ms per molecule).
DEFAULT_CHUNK_ROWS = 250
#: A job of at least this many chunks ends with smaller ones (see :func:`chunk_bounds`).
TAPER_FROM_CHUNKS = 8
#: ... its last two chunks' rows are cut into this many.
TAPER_PARTS = 8
Priority = Literal["low", "normal", "high"]
#: procrastinate priorities (higher runs first); the stalled-job recovery runs at 100.
PRIORITIES: dict[str, int] = {"low": -10, "normal": 0, "high": 10}
ROW_NUMBERS = "1-based line (SMILES/CSV/TSV, the header is line 1) or record (SDF/MOL)"
#: Columns of a chunk's input file.
CHUNK_COLUMNS = (
    "row_index",
    "smiles",
    "name",
    "identifier",
    "mol",
    "activity_value",
    "activity_unit",
    "activity_type",
    "activity_relation",
    "activity_target",
    "warnings",
    "error",
)
_INPUT_TEXT_LIMIT = 200


def _row_texts(data: bytes, parsed: MoleculeInput, rows: set[int]) -> dict[int, str]:
    """The input text of the given rows (a line, or an SD record's title), for the report."""
    if not rows:
        return {}
    text = data.decode(parsed.encoding, errors="replace")
    lines = text.splitlines()
    if parsed.format in ("sdf", "mol"):
        out: dict[int, str] = {}
        record, first = 1, True
        for line in lines:
            if first and record in rows:
                out[record] = f"record {record}: {line.strip()}"[:_INPUT_TEXT_LIMIT]
            first = False
            if line.strip() == "$$$$":
                record, first = record + 1, True
        return {r: out.get(r, f"record {r}") for r in rows}
    return {r: lines[r - 1][:_INPUT_TEXT_LIMIT] if r <= len(lines) else "" for r in rows}


def input_frame(data: bytes, parsed: MoleculeInput) -> pd.DataFrame:
    """One row per input row, in the reader's row order: good molecules and row errors."""
    errors: dict[int, list[str]] = {}
    warnings: dict[int, list[str]] = {}
    for issue in parsed.issues:
        if issue.row is None:
            continue
        target = errors if issue.severity == "error" else warnings
        target.setdefault(issue.row, []).append(_issue_text(issue))
    texts = _row_texts(data, parsed, set(errors))
    records: list[dict[str, Any]] = []
    for m in parsed.molecules:
        act = m.activity
        records.append(
            {
                "row_index": m.row,
                "smiles": m.smiles,
                "name": m.name,
                "identifier": m.identifier,
                "mol": m.mol.ToBinary(),
                "activity_value": act.value if act else None,
                "activity_unit": act.unit if act else None,
                "activity_type": act.type if act else None,
                "activity_relation": act.relation if act else None,
                "activity_target": act.target if act else None,
                "warnings": "; ".join(warnings.get(m.row, [])) or None,
                "error": None,
            }
        )
    good = {m.row for m in parsed.molecules}
    for row, messages in errors.items():
        if row in good:  # an error issue on a kept row cannot happen; keep the molecule
            continue
        records.append(
            {
                "row_index": row,
                "smiles": texts.get(row, ""),
                "warnings": "; ".join(warnings.get(row, [])) or None,
                "error": "; ".join(messages),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(CHUNK_COLUMNS))
    frame["activity_value"] = frame["activity_value"].astype("float64")
    return frame.sort_values("row_index", kind="stable").reset_index(drop=True)


def chunk_bounds(rows: int, size: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each chunk: ``size`` rows each, except that a job of at least
    ``TAPER_FROM_CHUNKS`` chunks has its last 2-3 chunks' rows (``2 * size`` or more)
    cut into ``TAPER_PARTS`` chunks, so that the workers run out of work close together
    instead of one finishing a whole chunk alone (chunks run in index order).

    >>> chunk_bounds(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    >>> b = chunk_bounds(10_000, 250)
    >>> len(b), b[37], b[38], b[-1]
    (46, (9250, 9500), (9500, 9562), (9938, 10000))
    """
    if rows <= 0:
        return []
    if -(-rows // size) < TAPER_FROM_CHUNKS:
        return [(start, min(start + size, rows)) for start in range(0, rows, size)]
    head = (rows - 2 * size) // size * size  # whole chunks; 2-3 chunks' rows are left
    bounds = [(start, start + size) for start in range(0, head, size)]
    cuts = [head + round(i * (rows - head) / TAPER_PARTS) for i in range(TAPER_PARTS + 1)]
    return bounds + [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _issue_text(issue: InputIssue) -> str:
    return f"{issue.kind}: {issue.message}"


def submit_molecule_batch(
    session: Session,
    store: ObjectStore,
    *,
    organization_id: int,
    user_id: int | None,
    data: bytes,
    filename: str,
    priority: Priority = "normal",
    max_rows: int,
    max_bytes: int | None = None,
    chunk_rows: int | None = None,
    check: Callable[[int, int], None] | None = None,
) -> jobs.Job:
    """Read ``data``, create the job and its chunks, queue them and write their files.

    ``check(rows, molecules)`` runs once the file is read and before anything is stored
    (quota checks raise there): ``rows`` counts every input row, ``molecules`` the rows
    read into molecules (the ones the workers will profile).

    The job's ``params["steps"]`` counts rows per step: ``parsed`` (rows read into
    molecules at submission), ``profiled`` and ``stored`` (updated by the worker as chunks
    finish); ``total`` is every input row, row errors included.

    Raises:
        InvalidInput: the file is not a molecule file (see ``read_molecules``), or has
            more than ``max_rows`` rows.
        InputTooLarge: more than ``max_bytes`` (default: the reader's 10 MB).
    """
    parsed = read_molecules(data, filename=filename, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
    frame = input_frame(data, parsed)
    if frame.empty:
        raise InvalidInput(f"{filename}: the file has no molecule rows")
    if len(frame) > max_rows:
        raise InvalidInput(f"{filename}: {len(frame):,} rows; at most {max_rows:,} per job")
    if check is not None:
        check(len(frame), len(parsed.molecules))
    size = chunk_rows or DEFAULT_CHUNK_ROWS
    file_warnings = [i.message for i in parsed.issues if i.row is None]
    job = jobs.Job(
        organization_id=organization_id,
        created_by_id=user_id,
        kind=MOLECULE_BATCH_KIND,
        status=jobs.JobStatus.queued,
        params={
            "filename": filename,
            "format": parsed.format,
            "encoding": parsed.encoding,
            "file_warnings": file_warnings,
            "input_kind": "molecules",
            "properties": [],
            "priority": priority,
            "chunk_rows": size,
            "queue": "default",
            "row_numbers": ROW_NUMBERS,
            "steps": {"parsed": len(parsed.molecules), "profiled": 0, "stored": 0},
            "profiled_by_chunk": {},
        },
        total=len(frame),
    )
    session.add(job)
    session.flush()
    blobs: list[tuple[str, bytes]] = []
    for index, (start, end) in enumerate(chunk_bounds(len(frame), size)):
        part = frame.iloc[start:end]
        blobs.append((jobs.chunk_input_key(job.id, index), to_parquet(part)))
        chunk = jobs.JobChunk(
            job_id=job.id,
            index=index,
            status=jobs.JobStatus.queued,
            start_row=start,
            end_row=end,
        )
        session.add(chunk)
        session.flush()
        chunk.queue_job_id = tasks.defer(
            session,
            tasks.BatchChunk(job_id=job.id, chunk_index=index),
            priority=PRIORITIES[priority],
        )
    session.flush()
    write_blobs_with_transaction(session, store, blobs)
    return job


def to_parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


def write_blobs_with_transaction(
    session: Session, store: ObjectStore, blobs: Sequence[tuple[str, bytes]]
) -> None:
    """Write ``blobs``; delete them again if writing fails or the transaction rolls back."""
    written: list[str] = []
    try:
        for key, content in blobs:
            written.append(key)
            store.put(key, content)
    except BaseException:
        _delete(store, written)
        raise

    settled = False

    def rolled_back(s: Session, previous: SessionTransaction) -> None:
        nonlocal settled
        if not settled and previous.parent is None:  # the transaction, not a savepoint
            settled = True
            _delete(store, written)

    def committed(s: Session) -> None:
        nonlocal settled
        settled = True

    event.listen(session, "after_soft_rollback", rolled_back)
    event.listen(session, "after_commit", committed)


def _delete(store: ObjectStore, keys: Sequence[str]) -> None:
    for key in keys:
        try:
            store.delete(key)
        except Exception:
            logger.warning("could not delete %s", key, exc_info=True)
