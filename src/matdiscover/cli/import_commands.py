"""``matdiscover import ...``: bring structures in from other databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from matdiscover.cli.errors import handle_errors
from matdiscover.settings import settings_for

app = typer.Typer(help="Import structures from other databases.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("optimade")
@handle_errors
def optimade(
    provider: Annotated[
        str | None,
        typer.Option(help="The provider's OPTIMADE base URL (with or without /v1)."),
    ] = None,
    filter_: Annotated[
        str, typer.Option("--filter", help='OPTIMADE filter, e.g. elements HAS ALL "Si","O"')
    ] = "",
    limit: Annotated[int | None, typer.Option(min=1, help="Import at most N entries.")] = None,
    page_size: Annotated[int, typer.Option(min=1, max=100, help="Entries per page.")] = 50,
    resume: Annotated[
        int | None, typer.Option(help="Continue an interrupted or failed import (job id).")
    ] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="Organisation slug or id (default: local).")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (MATDISCOVER_DATA_DIR).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The finished job as JSON.")] = False,
) -> None:
    """Query an OPTIMADE provider and store the matching structures as materials, with
    provenance (provider, id, URL, retrieval time). Runs here, page by page; a killed
    import continues with --resume JOB and never stores an entry twice."""
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.jobs import service as jobs
    from matdiscover.domains.optimade import importing
    from matdiscover.domains.organizations import service as organizations

    if (provider is None) == (resume is None):
        raise typer.BadParameter("give --provider (a new import) or --resume JOB")
    settings = settings_for(data_dir)
    with open_database(settings) as db:
        with session_scope(db.session_factory) as session:
            if resume is None:
                if org is None:
                    organization_id = organizations.ensure_local_identity(session).organization_id
                else:
                    organization_id = organizations.get_organization(session, org).id
                job = importing.start_import(
                    session,
                    organization_id=organization_id,
                    user_id=None,
                    provider=str(provider),
                    filter_=filter_,
                    limit=limit,
                    page_limit=page_size,
                    settings=settings,
                )
                job_id = job.id
                console.print(f"import job {job_id}: {job.params['next_url']}")
            else:
                job_id = resume
                found = session.get(jobs.Job, job_id)
                if found is None or found.kind != importing.IMPORT_KIND:
                    raise typer.BadParameter(f"no import job {job_id}")
                if found.status == jobs.JobStatus.failed:
                    found.status = jobs.JobStatus.queued
                    found.error = None
                    found.finished_at = None

        def progress(job: jobs.Job) -> None:
            console.print(
                f"  {job.processed}/{job.total or '?'} entries: "
                f"{job.params.get('imported', 0)} imported, "
                f"{job.params.get('skipped', 0)} already there, {job.error_count} errors"
            )

        importing.run_import(db.session_factory, job_id, settings=settings, on_page=progress)
        with session_scope(db.session_factory) as session:
            done = session.get(jobs.Job, job_id)
            assert done is not None
            read = jobs.to_read(session, done)
    if as_json:
        typer.echo(json.dumps(read.model_dump(mode="json"), indent=2))
    for item in read.params.get("errors", [])[:20]:
        console.print(f"[yellow]! {item['id']}[/]: {item['error']}")
    if read.status != jobs.JobStatus.succeeded:
        console.print(f"[red]import job {job_id} {read.status.value}[/]: {read.error}")
        console.print(f"continue it with: matdiscover import optimade --resume {job_id}")
        raise typer.Exit(1)
    console.print(
        f"import job {job_id} done: {read.params.get('imported', 0)} imported, "
        f"{read.params.get('skipped', 0)} already there, {read.error_count} errors"
    )
