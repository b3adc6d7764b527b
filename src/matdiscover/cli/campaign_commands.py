"""``matdiscover campaign ...``: discovery campaigns in a project (create, list, show, run a
round, record results) on the local database, through the same services as
``/api/v1/projects/{id}/campaigns`` (scoped to the local organisation).

A round is queued for the workers (``matdiscover serve`` or ``matdiscover worker``) and
followed with a progress bar; ``--here`` runs it in this process instead.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from matdiscover.cli.errors import handle_errors
from matdiscover.cli.format import format_with_sigma
from matdiscover.cli.search_commands import DataDirOpt, JsonOpt
from matdiscover.errors import InputTooLarge, InvalidInput, NotFound
from matdiscover.settings import settings_for

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from matdiscover.domains.campaigns.models import Campaign
    from matdiscover.domains.campaigns.schemas import RoundRead

app = typer.Typer(help="Discovery campaigns: rank what to make or compute next, round by round.")
console = Console()

ProjectArg = Annotated[str, typer.Argument(help="Project id or name.")]
CampaignArg = Annotated[str, typer.Argument(help="Campaign id or name (within the project).")]
#: largest formula file read by ``campaign create --formulas``
MAX_FORMULA_FILE = 2_000_000


@contextmanager
def _local(
    data_dir: Path | None,
) -> Iterator[tuple[Session, int, int | None, sessionmaker[Session]]]:
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.db.tenancy import bind_tenant
    from matdiscover.domains.organizations.service import ensure_local_identity

    settings = settings_for(data_dir)
    with open_database(settings) as db, session_scope(db.session_factory) as session:
        caller = ensure_local_identity(session)
        bind_tenant(session, caller.organization_id)
        yield session, caller.organization_id, caller.user_id, db.session_factory


def _project(session: Session, org: int, key: str) -> Any:
    from matdiscover.domains.projects import service

    if key.isdigit():
        return service.get(session, int(key), organization_id=org)
    for p in service.list_projects(session, organization_id=org):
        if p.name == key:
            return service.get(session, p.id, organization_id=org)
    raise NotFound(f"no project named {key!r}")


def _campaign(session: Session, project: Any, key: str) -> Campaign:
    from matdiscover.domains.campaigns import service

    if key.isdigit():
        return service.get(session, project, int(key))
    for c in service.list_for(session, project):
        if c.name == key:
            return service.get(session, project, c.id)
    raise NotFound(f"no campaign named {key!r} in project {project.id}")


def parse_objective(text: str) -> dict[str, Any]:
    """``band_gap:max``, ``formation_energy:min`` or ``band_gap:window:1.1:1.7``.

    >>> parse_objective("band_gap:window:1.1:1.7")
    {'property': 'band_gap', 'direction': 'window', 'min': 1.1, 'max': 1.7}
    """
    parts = text.split(":")
    if len(parts) == 2 and parts[1] in ("max", "min"):
        return {"property": parts[0], "direction": parts[1]}
    if len(parts) == 4 and parts[1] == "window":
        try:
            return {"property": parts[0], "direction": "window", "min": float(parts[2]),
                    "max": float(parts[3])}  # fmt: skip
        except ValueError:
            pass
    raise InvalidInput(
        f"objective {text!r}: use PROPERTY:max, PROPERTY:min or PROPERTY:window:MIN:MAX"
    )


def _split(text: str | None) -> list[str] | None:
    return [s.strip() for s in text.split(",") if s.strip()] if text else None


@app.command("create")
@handle_errors
def create(
    project: ProjectArg,
    name: Annotated[str, typer.Argument(help="Unique within the project.")],
    objective: Annotated[
        list[str],
        typer.Option(help="PROPERTY:max, PROPERTY:min or PROPERTY:window:MIN:MAX (repeatable)."),
    ],
    formulas: Annotated[
        Path | None,
        typer.Option(help="Pool: CSV with a 'formula' column, or one formula per line."),
    ] = None,
    from_project: Annotated[bool, typer.Option(help="Pool: the project's items.")] = False,
    elements: Annotated[
        str | None, typer.Option(help="Pool: enumerate charge-balanced compositions, e.g. Li,Mn,O.")
    ] = None,
    max_atoms: Annotated[int, typer.Option(help="Enumeration: atoms per formula unit.")] = 8,
    max_coefficient: Annotated[int, typer.Option(help="Enumeration: atoms of one element.")] = 6,
    acquisition: Annotated[
        str, typer.Option(help="greedy, ucb, lcb, ei, pi, thompson, stability or window.")
    ] = "ucb",
    batch_size: Annotated[int, typer.Option(help="Candidates per round (1-100).")] = 5,
    kappa: Annotated[float, typer.Option(help="UCB/LCB exploration weight (in σ).")] = 1.0,
    diversity: Annotated[float, typer.Option(help="Penalty on similar compositions.")] = 0.0,
    allow_elements: Annotated[str | None, typer.Option(help="Only these elements.")] = None,
    exclude_elements: Annotated[str | None, typer.Option(help="None of these elements.")] = None,
    max_e_above_hull: Annotated[
        float | None, typer.Option(help="Predicted energy above hull at most (eV/atom).")
    ] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a campaign with its pool (exactly one of --formulas, --from-project,
    --elements)."""
    from matdiscover.domains.campaigns import service
    from matdiscover.domains.campaigns.schemas import CampaignCreate

    if sum([formulas is not None, from_project, elements is not None]) != 1:
        raise InvalidInput("give exactly one pool: --formulas, --from-project or --elements")
    pool: dict[str, Any]
    if formulas is not None:
        if formulas.stat().st_size > MAX_FORMULA_FILE:
            raise InputTooLarge(f"{formulas.name} exceeds {MAX_FORMULA_FILE:,} bytes")
        pool = {"source": "uploaded", "text": formulas.read_text(errors="replace")}
    elif from_project:
        pool = {"source": "project"}
    else:
        pool = {
            "source": "enumeration",
            "elements": _split(elements),
            "max_atoms": max_atoms,
            "max_coefficient": max_coefficient,
        }
    body = CampaignCreate.model_validate(
        {
            "name": name,
            "objectives": [parse_objective(o) for o in objective],
            "acquisition": acquisition,
            "batch_size": batch_size,
            "kappa": kappa,
            "diversity": diversity,
            "constraints": {
                "allowed_elements": _split(allow_elements),
                "excluded_elements": _split(exclude_elements),
                "max_e_above_hull": max_e_above_hull,
            },
            "pool": pool,
        }
    )
    with _local(data_dir) as (session, org, user, _):
        p = _project(session, org, project)
        campaign = service.create(session, p, body, user_id=user)
        read = service.read(session, campaign)
    if as_json:
        typer.echo(read.model_dump_json(indent=2))
        return
    console.print(
        f"created campaign {read.id}: {read.name} ({read.n_candidates:,} candidates from "
        f"{read.pool_source})"
    )


@app.command("list")
@handle_errors
def list_campaigns(
    project: ProjectArg, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """The project's campaigns."""
    from matdiscover.domains.campaigns import service
    from matdiscover.domains.campaigns.schemas import CampaignList

    with _local(data_dir) as (session, org, _, _f):
        rows = service.list_for(session, _project(session, org, project))
    if as_json:
        typer.echo(CampaignList(items=rows).model_dump_json(indent=2))
        return
    table = Table(title=f"{len(rows)} campaign(s)")
    for col in ("id", "name", "objectives", "acquisition", "pool", "rounds", "results", "best"):
        table.add_column(col, overflow="fold")
    for c in rows:
        table.add_row(
            str(c.id),
            c.name,
            ", ".join(f"{o.property} {o.direction}" for o in c.objectives),
            c.acquisition,
            f"{c.n_candidates:,} ({c.pool_source})",
            str(c.n_rounds),
            str(c.n_results),
            ", ".join(f"{k} {v:.4g}" for k, v in c.best.items()) or "-",
        )
    console.print(table)


def _round_table(r: RoundRead, props: list[str]) -> Table:
    table = Table(title=f"round {r.index}: {r.status}" + (f" ({r.error})" if r.error else ""))
    for col in ("rank", "candidate", "formula", "score"):
        table.add_column(col)
    for p in props:
        table.add_column(f"{p} predicted")
        table.add_column(f"{p} result")
    for e in r.batch:
        cells = [str(e.rank), str(e.candidate_id), e.formula, f"{e.score:.4g}"]
        for p in props:
            mean, std = e.mean.get(p), e.std.get(p)
            res = e.results.get(p)
            cells.append(format_with_sigma(mean, std) if mean is not None else "-")
            cells.append(f"{res.value:.4g} ({res.source})" if res else "-")
        table.add_row(*cells)
    return table


@app.command("show")
@handle_errors
def show(
    project: ProjectArg,
    campaign: CampaignArg,
    round_index: Annotated[
        int | None, typer.Option("--round", help="This round (default: every round).")
    ] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A campaign and its rounds' ranked batches with results."""
    from matdiscover.domains.campaigns import service

    with _local(data_dir) as (session, org, _, _f):
        c = _campaign(session, _project(session, org, project), campaign)
        read = service.read(session, c)
        rows = service.rounds_of(session, c)
        rounds = [service.round_read(session, r) for r in rows if round_index in (None, r.index)]
    if as_json:
        typer.echo(
            '{"campaign": ' + read.model_dump_json() + ', "rounds": ['
            + ", ".join(r.model_dump_json() for r in rounds) + "]}"
        )  # fmt: skip
        return
    console.print(
        f"campaign {read.id}: {read.name} [{read.status}], {read.acquisition}, batch "
        f"{read.batch_size}, {read.n_candidates:,} candidates ({read.pool_source}), "
        f"{read.n_chosen} chosen, {read.n_results} result(s)"
    )
    props = [o.property for o in read.objectives]
    for r in rounds:
        console.print(_round_table(r, props))


def _follow(factory: sessionmaker[Session], job_id: int) -> str:
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.jobs import service as jobs

    with Progress(
        TextColumn("[bold]round"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("round", total=None)
        while True:
            with session_scope(factory) as s:
                job = s.get(jobs.Job, job_id)
                assert job is not None
                status, done, total = job.status, job.processed, job.total
            bar.update(task, completed=done, total=total or None)
            if status in jobs.TERMINAL:
                return str(status.value)
            time.sleep(0.3)


@app.command("round")
@handle_errors
def run_round(
    project: ProjectArg,
    campaign: CampaignArg,
    here: Annotated[bool, typer.Option(help="Run in this process, not on a worker.")] = False,
    wait: Annotated[bool, typer.Option(help="Follow the job until it ends.")] = True,
    priority: Annotated[str, typer.Option(help="low, normal or high.")] = "normal",
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Queue the campaign's next round (needs a running worker unless --here) and show
    its ranked batch."""
    from matdiscover.domains.campaigns import rounds, service

    if priority not in ("low", "normal", "high"):
        raise InvalidInput(f"unknown priority {priority!r}: low, normal or high")
    prio: Literal["low", "normal", "high"] = priority  # type: ignore[assignment]
    with _local(data_dir) as (session, org, user, factory):
        p = _project(session, org, project)
        c = _campaign(session, p, campaign)
        row = service.start_round(session, c, user_id=user, priority=prio)
        job_id, index, campaign_id = row.job_id, row.index, c.id
        props = [o["property"] for o in c.objectives]
        session.commit()
        assert job_id is not None
        if here:
            from matdiscover.domains.campaigns.chunks import run_predict_chunk
            from matdiscover.storage import ObjectStore

            store = ObjectStore(settings_for(data_dir).resolved_storage_url)
            for i in range(len(service.chunk_indices(session, job_id))):
                run_predict_chunk(factory, store, job_id, i)
            rounds.run_round(factory, job_id, store)
        elif wait:
            console.print(f"round {index} queued as job {job_id}; waiting for a worker")
            _follow(factory, job_id)
        else:
            console.print(f"round {index} queued as job {job_id}")
            return
        session.expire_all()
        c = service.get(session, p, campaign_id)
        read = service.round_read(session, service.get_round(session, c, index))
    if as_json:
        typer.echo(read.model_dump_json(indent=2))
        return
    console.print(_round_table(read, props))
    if read.status != "succeeded":
        raise typer.Exit(1)


@app.command("results")
@handle_errors
def results(
    project: ProjectArg,
    campaign: CampaignArg,
    round_index: Annotated[int, typer.Argument(help="Round number (1, 2, ...).")],
    value: Annotated[
        list[str] | None,
        typer.Option(help="CANDIDATE_ID=VALUE or CANDIDATE_ID:PROPERTY=VALUE (repeatable)."),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(help="CSV: candidate_id, value[, property, uncertainty]."),
    ] = None,
    from_measurements: Annotated[
        bool, typer.Option(help="Pull them from the project's measurements.")
    ] = False,
    computed: Annotated[
        bool, typer.Option(help="Record the model's prediction as a computed result.")
    ] = False,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record results for a round's candidates."""
    from matdiscover.domains.campaigns import service
    from matdiscover.domains.campaigns.schemas import ResultsCreate

    chosen = sum([bool(value) or file is not None, from_measurements, computed])
    if chosen != 1:
        raise InvalidInput("give values (--value/--file), --from-measurements or --computed")
    values: list[dict[str, Any]] = []
    for v in value or []:
        key, _, number = v.partition("=")
        cid, _, prop = key.partition(":")
        try:
            values.append(
                {"candidate_id": int(cid), "property": prop or None, "value": float(number)}
            )
        except ValueError:
            raise InvalidInput(f"--value {v!r}: use CANDIDATE_ID[:PROPERTY]=VALUE") from None
    if file is not None:
        if file.stat().st_size > MAX_FORMULA_FILE:
            raise InputTooLarge(f"{file.name} exceeds {MAX_FORMULA_FILE:,} bytes")
        for n, row in enumerate(csv.DictReader(io.StringIO(file.read_text())), start=2):
            try:
                unc = row.get("uncertainty")
                values.append(
                    {
                        "candidate_id": int(row["candidate_id"]),
                        "value": float(row["value"]),
                        "property": row.get("property") or None,
                        "uncertainty": float(unc) if unc else None,
                    }
                )
            except (KeyError, TypeError, ValueError):
                raise InvalidInput(
                    f"{file.name} line {n}: need candidate_id and value columns with numbers"
                ) from None
    source = "measurements" if from_measurements else "computed" if computed else "values"
    body = ResultsCreate.model_validate({"source": source, "values": values})
    with _local(data_dir) as (session, org, user, _f):
        p = _project(session, org, project)
        c = _campaign(session, p, campaign)
        rnd = service.get_round(session, c, round_index)
        out = service.record_results(session, p, c, rnd, body, user_id=user)
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    for r in out.recorded:
        console.print(
            f"{r.formula} (candidate {r.candidate_id}) {r.property} = {r.value:.4g} [{r.source}]"
        )
    for s in out.skipped:
        console.print(f"skipped: {s}", markup=False, highlight=False)
    console.print(f"recorded {len(out.recorded)} result(s)")
