"""``matdiscover projects ...``: projects, their items, measurements, parity numbers,
recalibrations and CSV export, on the local database through the same services as
``/api/v1/projects`` (scoped to the local organisation like an API request)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from matdiscover.cli.errors import handle_errors
from matdiscover.cli.format import format_number, format_with_sigma
from matdiscover.cli.search_commands import DataDirOpt, JsonOpt
from matdiscover.errors import InputTooLarge, InvalidInput, NotFound
from matdiscover.science.properties import PROPERTY_NAMES, PropertyName
from matdiscover.settings import settings_for

if TYPE_CHECKING:
    from matdiscover.domains.projects.models import Project

app = typer.Typer(help="Projects: tracked materials, measurements, predicted vs measured.")
console = Console()

ProjectArg = Annotated[str, typer.Argument(help="Project id or name.")]


@dataclass(frozen=True)
class Local:
    session: Session
    organization_id: int
    user_id: int | None
    max_file_bytes: int


@contextmanager
def _local(data_dir: Path | None) -> Iterator[Local]:
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.db.tenancy import bind_tenant
    from matdiscover.domains.organizations.service import ensure_local_identity

    settings = settings_for(data_dir)
    with open_database(settings) as db, session_scope(db.session_factory) as session:
        caller = ensure_local_identity(session)
        bind_tenant(session, caller.organization_id)
        yield Local(session, caller.organization_id, caller.user_id, settings.max_file_bytes)


def _project(local: Local, key: str) -> Project:
    from matdiscover.domains.projects import service

    if key.isdigit():
        return service.get(local.session, int(key), organization_id=local.organization_id)
    for p in service.list_projects(local.session, organization_id=local.organization_id):
        if p.name == key:
            return service.get(local.session, p.id, organization_id=local.organization_id)
    raise NotFound(f"no project named {key!r}")


@app.command("list")
@handle_errors
def list_projects(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Your projects with item and measurement counts."""
    from matdiscover.domains.projects import service
    from matdiscover.domains.projects.schemas import ProjectList

    with _local(data_dir) as local:
        rows = service.list_projects(local.session, organization_id=local.organization_id)
    if as_json:
        typer.echo(ProjectList(items=rows).model_dump_json(indent=2))
        return
    table = Table(title=f"{len(rows)} project(s)")
    for col in ("id", "name", "items", "measurements", "description"):
        table.add_column(col, overflow="fold")
    for p in rows:
        table.add_row(str(p.id), p.name, str(p.n_items), str(p.n_measurements), p.description or "")
    console.print(table)


@app.command("create")
@handle_errors
def create(
    name: Annotated[str, typer.Argument(help="Unique within your organisation.")],
    description: Annotated[str | None, typer.Option(help="What the project is for.")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Create a project."""
    from matdiscover.domains.projects import service
    from matdiscover.domains.projects.schemas import ProjectCreate

    with _local(data_dir) as local:
        body = ProjectCreate(name=name, description=description)
        project = service.create(local.session, body, organization_id=local.organization_id)
        console.print(f"created project {project.id}: {project.name}")


@app.command("show")
@handle_errors
def show(
    project: ProjectArg,
    sort: Annotated[str, typer.Option(help="added, formula, status, predicted.P, measured.P")] = (
        "added"
    ),
    desc: Annotated[bool, typer.Option(help="Descending order.")] = False,
    prop: Annotated[
        list[PropertyName] | None,
        typer.Option(
            "--property", help="Columns of this property (repeatable; default: the measured)."
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The project table: predicted ± σ (recalibrated in brackets when enabled) and
    measured values side by side."""
    from matdiscover.domains.projects.schemas import ItemList
    from matdiscover.domains.projects.table import item_table

    order: Literal["asc", "desc"] = "desc" if desc else "asc"
    with _local(data_dir) as local:
        p = _project(local, project)
        rows = item_table(
            local.session, p, organization_id=local.organization_id, sort=sort, order=order
        )
        title = f"{p.name} (project {p.id}): {len(rows)} item(s)"
    if as_json:
        typer.echo(ItemList(items=rows, sort=sort, order=order).model_dump_json(indent=2))
        return
    measured_props = [k for k in PROPERTY_NAMES if any(k in r.measured for r in rows)]
    predicted_props = [k for k in PROPERTY_NAMES if any(k in r.predicted for r in rows)]
    props = list(prop) if prop else (measured_props or predicted_props)
    table = Table(title=title)
    for col in ("item", "formula", "kind", "status", "tags"):
        table.add_column(col, overflow="fold")
    for k in props:
        table.add_column(f"{k} predicted", overflow="fold")
        table.add_column(f"{k} measured", overflow="fold")
    for r in rows:
        cells = [str(r.id), r.reduced_formula, r.kind, r.status.value, ", ".join(r.tags)]
        for k in props:
            pred = r.predicted.get(k)
            text = format_with_sigma(pred.value, pred.std) if pred else "-"
            if pred and pred.recalibrated:
                rc = pred.recalibrated
                text += f" [{format_with_sigma(rc.value, rc.std)}, {rc.label}]"
            measured = r.measured.get(k) or []
            cells += [
                text,
                ", ".join(format_with_sigma(m.value, m.uncertainty) for m in measured) or "-",
            ]
        table.add_row(*cells)
    console.print(table)


@app.command("add")
@handle_errors
def add(
    project: ProjectArg,
    what: Annotated[str, typer.Argument(help="A material id (your upload) or a formula.")],
    tag: Annotated[list[str] | None, typer.Option(help="Tag (repeatable).")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Track one of your uploads (by material id) or a known compound (by formula)."""
    from matdiscover.domains.projects import service
    from matdiscover.domains.projects.schemas import ItemCreate

    body = (
        ItemCreate(material_id=int(what), tags=tag or [])
        if what.isdigit()
        else ItemCreate(formula=what, tags=tag or [])
    )
    with _local(data_dir) as local:
        p = _project(local, project)
        item = service.add_item(
            local.session, p, body, organization_id=local.organization_id, user_id=local.user_id
        )
        console.print(f"added item {item.id}: {item.reduced_formula}")


@app.command("status")
@handle_errors
def status(
    project: ProjectArg,
    item: Annotated[int, typer.Argument(help="Item id.")],
    new_status: Annotated[
        str, typer.Argument(help="idea, selected, synthesised, measured or discarded.")
    ],
    data_dir: DataDirOpt = None,
) -> None:
    """Change an item's status."""
    from matdiscover.domains.projects import service
    from matdiscover.domains.projects.models import ItemStatus
    from matdiscover.domains.projects.schemas import ItemUpdate

    try:
        chosen = ItemStatus(new_status)
    except ValueError:
        raise InvalidInput(f"unknown status {new_status!r}") from None
    with _local(data_dir) as local:
        p = _project(local, project)
        row = service.update_item(local.session, p, item, ItemUpdate(status=chosen))
        console.print(f"item {row.id} ({row.reduced_formula}): {row.status.value}")


@app.command("note")
@handle_errors
def note(
    project: ProjectArg,
    text: Annotated[str, typer.Argument(help="The note.")],
    item: Annotated[int | None, typer.Option(help="On this item (else on the project).")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a note (with author and time) to a project or one of its items."""
    from matdiscover.domains.projects import service
    from matdiscover.domains.projects.schemas import NoteCreate

    with _local(data_dir) as local:
        p = _project(local, project)
        row = service.add_note(
            local.session, p, NoteCreate(text=text, item_id=item), user_id=local.user_id
        )
        console.print(f"note {row.id} added")


@app.command("measurements-import")
@handle_errors
def measurements_import(
    project: ProjectArg,
    file: Annotated[Path, typer.Argument(help="CSV, TSV or XLSX of measurements.", exists=True)],
    store_valid_rows: Annotated[
        bool, typer.Option(help="Store the good rows even if some rows are bad.")
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Import measurements; any bad row stores nothing (every bad row is listed) unless
    --store-valid-rows."""
    from matdiscover.domains.projects import importing

    with _local(data_dir) as local:
        p = _project(local, project)
        if file.stat().st_size > local.max_file_bytes:
            raise InputTooLarge(f"{file.name} exceeds {local.max_file_bytes:,} bytes")
        outcome = importing.import_file(
            local.session,
            p,
            file.read_bytes(),
            file.name,
            organization_id=local.organization_id,
            user_id=local.user_id,
            store_valid_rows=store_valid_rows,
            max_bytes=local.max_file_bytes,
        )
    for e in outcome.errors:
        where = f"row {e.row}" + (f" [{e.column}]" if e.column else "")
        console.print(f"{where}: {e.message}", markup=False, highlight=False)
    if outcome.rejected:
        console.print(f"[red]{len(outcome.errors)} problem(s); nothing was stored[/red]")
        raise typer.Exit(1)
    console.print(f"stored {len(outcome.stored_ids)} measurement(s)")


@app.command("parity")
@handle_errors
def parity_cmd(
    project: ProjectArg,
    prop: Annotated[PropertyName, typer.Argument(help="Property key.")],
    by_chemistry: Annotated[bool, typer.Option(help="Residuals by chemical family.")] = False,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Predicted vs measured: MAE, RMSE, bias and 95 % coverage (same numbers as
    GET /api/v1/projects/{id}/parity)."""
    from matdiscover.domains.projects import parity

    with _local(data_dir) as local:
        p = _project(local, project)
        result = parity.parity(
            local.session,
            p,
            prop,
            organization_id=local.organization_id,
            by="chemistry" if by_chemistry else None,
        )
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    table = Table(title=f"{prop.value} ({result.unit}): predicted vs measured")
    for col in ("which", "n", "MAE", "RMSE", "bias", "coverage 95 %"):
        table.add_column(col)
    rows = [("all", result.metrics)]
    rows += [(f"{m.model_name} {m.model_version}", m.metrics) for m in result.per_model]
    if result.recalibrated_metrics and result.recalibration:
        rows.append((f"recalibrated ({result.recalibration.label})", result.recalibrated_metrics))
    for which, m in rows:
        if m is None:
            continue
        cov = "-" if m.coverage95 is None else f"{m.coverage95:.3f}"
        table.add_row(
            which,
            str(m.n),
            format_number(m.mae, 4),
            format_number(m.rmse, 4),
            format_number(m.bias, 4),
            cov,
        )
    console.print(table)
    if result.skipped:
        console.print(f"{result.skipped} measurement(s) without a prediction were left out")
    for g in result.by_chemistry or []:
        console.print(
            f"{g.family}: n={g.n}, mean residual {format_number(g.mean_residual, 4)}, "
            f"MAE {format_number(g.mae, 4)}"
        )


@app.command("recalibrate")
@handle_errors
def recalibrate(
    project: ProjectArg,
    prop: Annotated[PropertyName, typer.Argument(help="Property key.")],
    model_name: Annotated[str | None, typer.Option(help="Only this model's predictions.")] = None,
    enable: Annotated[bool, typer.Option(help="Turn the new version on.")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Fit a recalibration of the property on the project's measurements (a new version,
    off unless --enable)."""
    from matdiscover.domains.projects import parity, recalibrations

    with _local(data_dir) as local:
        p = _project(local, project)
        row = parity.fit(
            local.session,
            p,
            prop,
            model_name,
            organization_id=local.organization_id,
            user_id=local.user_id,
        )
        if enable:
            recalibrations.set_enabled(local.session, p, row.id, True)
        read = recalibrations.to_read(row)
    console.print(
        f"recalibration {read.id} v{read.version} ({read.kind}, {read.label}): "
        f"CV MAE {format_number(read.cv_mae, 4)} vs raw {format_number(read.cv_mae_raw, 4)}; "
        f"{'enabled' if read.enabled else 'disabled'}"
    )


@app.command("export")
@handle_errors
def export_cmd(
    project: ProjectArg,
    file: Annotated[Path, typer.Argument(help="CSV file to write.")],
    excel: Annotated[bool, typer.Option(help="Excel-friendly (UTF-8 with a BOM).")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Write the project table as CSV (text cells safe against formula injection)."""
    from matdiscover.domains.projects import export
    from matdiscover.domains.projects.table import item_table

    with _local(data_dir) as local:
        p = _project(local, project)
        rows = item_table(local.session, p, organization_id=local.organization_id)
    file.write_bytes(export.to_csv(rows, excel=excel))
    console.print(f"wrote {len(rows)} item(s) to {file}")
