"""Importing structures from an OPTIMADE provider into an organisation's materials.

An import is a job (kind ``optimade_import``) whose ``params`` hold the provider, the filter,
the limit and the cursor (``next_url``: the next page to fetch). :func:`run_import` fetches
one page at a time (outside any transaction), then stores it in one transaction together
with the advanced cursor and the job's counters, so:

* a failing page (timeout, error status, malformed JSON) fails the job with a clear
  message and stores nothing of that page;
* a killed import resumes from its cursor (run it again), and entries already imported
  (unique per organisation, provider and provider id) are skipped, never duplicated.

Entries are stored through the normal upload path (validation, duplicate and known-structure
matching) as pymatgen JSON, then marked ``source="import"`` with the provider's prefix and
the entry's id; the full provenance (provider URL, entry URL, retrieval time) is an
:class:`~matdiscover.domains.optimade.models.OptimadeImport` row.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.engine import session_scope
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.materials import service as materials
from matdiscover.domains.optimade.client import (
    ClientOptions,
    Page,
    ProviderError,
    fetch_page,
    first_url,
    http_client,
    to_pymatgen_json,
    versioned_base,
)
from matdiscover.domains.optimade.models import OptimadeImport
from matdiscover.errors import Forbidden, InvalidInput, NotFound
from matdiscover.settings import Settings

logger = logging.getLogger(__name__)

IMPORT_KIND = "optimade_import"
MAX_LIMIT = 100_000
MAX_RECORDED_ERRORS = 200


def check_provider(provider: str, settings: Settings) -> str:
    """The provider's versioned base URL, if this server may call it.

    Local mode: any http(s) URL the user gives. On a server with accounts only the
    configured ``optimade_providers`` (an outbound call to any URL would let users probe the
    server's network)."""
    try:
        base = versioned_base(provider)
    except ProviderError as exc:
        raise InvalidInput(exc.message) from exc
    if settings.auth_required:
        allowed = {versioned_base(p) for p in settings.optimade_providers}
        if base not in allowed:
            raise Forbidden(
                "this server imports only from its configured OPTIMADE providers "
                "(MATDISCOVER_OPTIMADE_PROVIDERS)"
            )
    return base


def start_import(
    session: Session,
    *,
    organization_id: int,
    user_id: int | None,
    provider: str,
    filter_: str,
    limit: int | None,
    page_limit: int,
    settings: Settings,
) -> jobs.Job:
    """A queued import job (the caller enqueues or runs it). Nothing is fetched yet."""
    base = check_provider(provider, settings)
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    jobs.check_job_slot(session, organization_id, settings.plan_limits)
    job = jobs.Job(
        organization_id=organization_id,
        created_by_id=user_id,
        kind=IMPORT_KIND,
        status=jobs.JobStatus.queued,
        params={
            "provider": base,
            "filter": filter_,
            "limit": limit,
            "next_url": first_url(base, filter_=filter_, page_limit=page_limit),
            "imported": 0,
            "skipped": 0,
            "errors": [],
        },
        total=limit or 0,
    )
    session.add(job)
    session.flush()
    return job


def options_for(settings: Settings) -> ClientOptions:
    return ClientOptions(
        timeout_s=settings.optimade_timeout_s,
        max_retries=settings.optimade_max_retries,
        backoff_s=settings.optimade_backoff_s,
    )


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def run_import(
    factory: sessionmaker[Session],
    job_id: int,
    *,
    settings: Settings,
    http: httpx.Client | None = None,
    on_page: Callable[[jobs.Job], None] | None = None,
) -> None:
    """Run (or resume) an import job until it is done, failed or cancelled."""
    options = options_for(settings)
    own = http is None
    client = http or http_client()
    try:
        while True:
            with session_scope(factory) as session:
                job = session.get(jobs.Job, job_id)
                if job is None or job.kind != IMPORT_KIND:
                    raise NotFound(f"import job {job_id} not found")
                if job.status in (jobs.JobStatus.cancelling, jobs.JobStatus.cancelled):
                    job.status = jobs.JobStatus.cancelled
                    job.finished_at = job.finished_at or datetime.now(UTC)
                    return
                if job.status in jobs.TERMINAL:
                    return
                url = job.params.get("next_url")
                limit = job.params.get("limit")
                remaining = None if limit is None else limit - job.processed
                if not url or (remaining is not None and remaining <= 0):
                    job.status = jobs.JobStatus.succeeded
                    job.finished_at = datetime.now(UTC)
                    job.total = job.processed
                    return
                if job.status == jobs.JobStatus.queued or job.started_at is None:
                    job.started_at = job.started_at or datetime.now(UTC)
                job.status = jobs.JobStatus.running
                provider = str(job.params["provider"])
            if not _same_origin(url, provider):
                _fail(factory, job_id, f"the provider's next link leaves {provider}: {url}")
                return
            try:
                page = fetch_page(client, url, options)
            except ProviderError as exc:
                logger.warning("OPTIMADE import %s failed: %s", job_id, exc.message)
                _fail(factory, job_id, exc.message)
                return
            with session_scope(factory) as session:
                job = _store_page(session, job_id, url, page, remaining, settings)
                if job is not None and on_page is not None:
                    on_page(job)
    finally:
        if own:
            client.close()


def _fail(factory: sessionmaker[Session], job_id: int, message: str) -> None:
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id)
        if job is not None:
            job.status = jobs.JobStatus.failed
            job.error = message[:2000]
            job.finished_at = datetime.now(UTC)


def _store_page(
    session: Session,
    job_id: int,
    url: str,
    page: Page,
    remaining: int | None,
    settings: Settings,
) -> jobs.Job | None:
    """Store one fetched page and advance the cursor, in the caller's transaction."""
    entries = page.entries if remaining is None else page.entries[:remaining]
    job = session.scalar(select(jobs.Job).where(jobs.Job.id == job_id).with_for_update())
    if job is None or job.params.get("next_url") != url:
        return job  # another run of this job stored this page already
    org = job.organization_id
    provider = str(job.params["provider"])
    prefix = (page.provider_prefix or urlsplit(provider).hostname or "optimade")[:64]
    ids = [str(e["id"]) for e in entries]
    done = set(
        session.scalars(
            select(OptimadeImport.entry_id).where(
                OptimadeImport.organization_id == org,
                OptimadeImport.provider == provider,
                OptimadeImport.entry_id.in_(ids),
            )
        )
    )
    files: list[tuple[str | None, BinaryIO]] = []
    by_file: dict[str, dict[str, Any]] = {}
    errors: list[dict[str, str]] = []
    for index, entry in enumerate(entries):
        if str(entry["id"]) in done:
            continue
        try:
            data = to_pymatgen_json(entry)
        except ProviderError as exc:
            errors.append({"id": str(entry["id"]), "error": exc.message})
            continue
        name = f"optimade-{index}.json"
        files.append((name, io.BytesIO(data)))
        by_file[name] = entry
    imported = 0
    if files:
        outcome = materials.upload(
            session, files, organization_id=org, user_id=job.created_by_id, settings=settings
        )
        # upload() rolls back when nothing could be stored: take the job's lock again
        job = session.scalar(select(jobs.Job).where(jobs.Job.id == job_id).with_for_update())
        assert job is not None
        now = datetime.now(UTC)
        for row, _label in outcome.created:
            source = by_file.get(str(row.filename).split("/")[0])
            if source is None:
                continue
            entry_id = str(source["id"])
            row.source = "import"
            row.source_database = prefix
            row.source_id = entry_id[:128]
            session.add(
                OptimadeImport(
                    organization_id=org,
                    job_id=job.id,
                    material_id=row.id,
                    provider=provider,
                    entry_id=entry_id[:255],
                    entry_url=f"{provider}/structures/{quote(entry_id, safe='')}"[:1000],
                    retrieved_at=now,
                )
            )
            imported += 1
        for name, message in outcome.errors:
            failed = by_file.get(name.split("/")[0])
            errors.append({"id": str(failed["id"]) if failed else name, "error": message})
    params = dict(job.params)
    params["next_url"] = page.next_url
    params["imported"] = int(params.get("imported", 0)) + imported
    params["skipped"] = int(params.get("skipped", 0)) + len(done)
    params["errors"] = (list(params.get("errors", [])) + errors)[:MAX_RECORDED_ERRORS]
    job.params = params
    job.processed += len(entries)
    job.error_count += len(errors)
    limit = params.get("limit")
    if page.data_returned is not None:
        expected = page.data_returned if limit is None else min(limit, page.data_returned)
        job.total = max(expected, job.processed)
    else:
        job.total = max(job.total, job.processed)
    session.flush()
    return job
