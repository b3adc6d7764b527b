"""``matdiscover models ...``: shipped models and the organisation's model versions (list,
show, promote, roll back), rebuilding a shipped model and fine-tuning one on a project's
measurements (through the same services as ``/api/v1/models``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from matdiscover.cli.errors import handle_errors
from matdiscover.cli.format import format_number
from matdiscover.cli.search_commands import DataDirOpt
from matdiscover.settings import Settings, settings_for

app = typer.Typer(help="Prediction models: cards and training.", no_args_is_help=True)
console = Console()


def _metric(card: dict[str, Any], *keys: str) -> str:
    for k in keys:
        cur: Any = card
        for part in k.split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
        if isinstance(cur, int | float):
            return format_number(float(cur))
    return "-"


@app.command("list")
@handle_errors
def list_cmd(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    versions: Annotated[
        bool,
        typer.Option("--versions", help="The organisation's model versions and shipped models."),
    ] = False,
    prop: Annotated[str | None, typer.Option("--property", help="Only this property.")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Shipped models with their held-out metrics (``--versions``: the registry)."""
    from matdiscover.science.models.registry import list_model_cards

    if versions:
        _list_versions(prop, as_json=as_json, data_dir=data_dir)
        return
    cards = list_model_cards()
    if as_json:
        typer.echo(json.dumps(cards, indent=2, default=str))
        return
    table = Table(title="MatDiscover models")
    for col in ("name", "version", "property", "unit", "method", "MAE", "±1σ cover", "±2σ cover"):
        table.add_column(col, overflow="fold")
    for c in cards:
        table.add_row(
            str(c.get("name")),
            str(c.get("version")),
            str(c.get("property")),
            str(c.get("unit")),
            str(c.get("method")),
            _metric(c, "metrics.mae", "test_metrics.mae", "mae"),
            _metric(c, "calibration.coverage_1sigma", "metrics.coverage_1sigma", "coverage_1sigma"),
            _metric(c, "calibration.coverage_2sigma", "metrics.coverage_2sigma", "coverage_2sigma"),
        )
    console.print(table)


@app.command("train")
@handle_errors
def train_cmd(
    prop: Annotated[str, typer.Argument(help="Property key, e.g. formation_energy.")],
    out_dir: Annotated[
        Path | None,
        typer.Option(help="Where to write the artifact (default: the shipped location)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Split and ensemble seed.")] = 0,
    fast: Annotated[bool, typer.Option(help="Tiny run on a subset (for smoke tests).")] = False,
    project: Annotated[
        int | None,
        typer.Option(
            help="Fine-tune the shipped model on this project's measurements instead "
            "(a candidate version in the registry)."
        ),
    ] = None,
    epochs: Annotated[int, typer.Option(help="Fine-tune epochs (with --project).")] = 12,
    user_weight: Annotated[
        float, typer.Option(help="Weight of a measured row vs a reference row (--project).")
    ] = 10.0,
    queue_only: Annotated[
        bool, typer.Option(help="With --project: only queue the job for a worker.")
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Retrain a shipped composition model and write its artifact and card, or with
    ``--project`` fine-tune it on the project's measurements (run here unless
    ``--queue-only``; a worker picks a queued job up)."""
    from matdiscover.errors import InvalidInput

    if project is not None:
        _finetune(prop, project, epochs, user_weight, queue_only, data_dir)
        return
    from matdiscover.science.models.composition import PROPERTIES, models_dir, train_property

    if prop not in PROPERTIES:
        raise InvalidInput(f"unknown property {prop!r}; choose from {sorted(PROPERTIES)}")
    target = out_dir or models_dir()
    with console.status(f"training {prop} ..."):
        card = train_property(prop, out_dir=target, seed=seed, fast=fast)
    console.print(f"[green]wrote[/] {target / prop}")
    console.print_json(
        json.dumps(card.to_dict() if hasattr(card, "to_dict") else card.__dict__, default=str)
    )


# ------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class _Local:
    session: Any
    organization_id: int
    user_id: int | None
    settings: Settings
    factory: Any


@contextmanager
def _local(data_dir: Path | None) -> Iterator[_Local]:
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.db.tenancy import bind_tenant
    from matdiscover.domains.organizations.service import ensure_local_identity

    settings = settings_for(data_dir)
    with open_database(settings) as db, session_scope(db.session_factory) as session:
        caller = ensure_local_identity(session)
        bind_tenant(session, caller.organization_id)
        yield _Local(session, caller.organization_id, caller.user_id, settings, db.session_factory)


def _list_versions(prop: str | None, *, as_json: bool, data_dir: Path | None) -> None:
    from matdiscover.domains.model_registry import service

    with _local(data_dir) as local:
        rows = service.catalogue(local.session, organization_id=local.organization_id, prop=prop)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    table = Table(title="Model versions")
    for col in ("id", "property", "name", "version", "status", "in use", "held-out MAE"):
        table.add_column(col, overflow="fold")
    for r in rows:
        hold = r.metrics.get("holdout", {}).get("candidate", {}).get("mae")
        table.add_row(
            str(r.id or "-"),
            r.property,
            r.name,
            r.version,
            r.status,
            "yes" if r.in_use else "",
            format_number(float(hold)) if isinstance(hold, int | float) else "-",
        )
    console.print(table)


@app.command("show")
@handle_errors
def show_cmd(
    version: Annotated[str, typer.Argument(help="Version id, or a shipped model's name.")],
    data_dir: DataDirOpt = None,
) -> None:
    """One model version (card, metrics, learning curve) or a shipped model's card."""
    from matdiscover.domains.model_registry import service
    from matdiscover.errors import NotFound
    from matdiscover.science.models.registry import get_model_card

    if not version.isdigit():
        card = get_model_card(version)
        if card is None:
            raise NotFound(f"no shipped model named {version!r}")
        typer.echo(json.dumps(card, indent=2, default=str))
        return
    with _local(data_dir) as local:
        row = service.get(local.session, int(version), organization_id=local.organization_id)
        typer.echo(service.to_read(row).model_dump_json(indent=2))


@app.command("promote")
@handle_errors
def promote_cmd(
    version: Annotated[int, typer.Argument(help="Version id (see models list --versions).")],
    data_dir: DataDirOpt = None,
) -> None:
    """Make a version active: predictions of its property use it from now on."""
    from matdiscover.domains.model_registry import service

    with _local(data_dir) as local:
        row = service.promote(local.session, version, organization_id=local.organization_id)
        read = service.to_read(row)
    console.print(f"[green]active[/] {read.property}: {read.name} {read.version}")


@app.command("rollback")
@handle_errors
def rollback_cmd(
    prop: Annotated[str, typer.Argument(help="Property key, e.g. band_gap.")],
    data_dir: DataDirOpt = None,
) -> None:
    """Restore the version the active one replaced (the shipped model if none)."""
    from matdiscover.domains.model_registry import service

    with _local(data_dir) as local:
        active = service.rollback(local.session, prop, organization_id=local.organization_id)
    v = active.version
    console.print(f"[green]active[/] {prop}: {v.name} {v.version} ({v.source})")


def _finetune(
    prop: str,
    project: int,
    epochs: int,
    user_weight: float,
    queue_only: bool,
    data_dir: Path | None,
) -> None:
    from matdiscover.domains.training import service
    from matdiscover.domains.training.schemas import TrainingOptions
    from matdiscover.storage import ObjectStore

    with _local(data_dir) as local:
        store = ObjectStore(local.settings.resolved_storage_url)
        rows = service.project_rows(
            local.session, project, prop, organization_id=local.organization_id
        )
        job = service.start_training(
            local.session,
            store,
            rows,
            TrainingOptions(epochs=epochs, user_weight=user_weight),
            organization_id=local.organization_id,
            user_id=local.user_id,
            source={"project_id": project},
            plan_limits=local.settings.plan_limits,
        )
        job_id, factory = job.id, local.factory
        local.session.commit()
        console.print(f"queued training job {job_id} ({len(rows)} rows of {prop})")
    if not queue_only:
        _run_here(job_id, factory, store, prop, data_dir)


@app.command("train-structures")
@handle_errors
def train_structures_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="Extended XYZ: periodic frames, each with its total energy in eV.",
            exists=True,
            dir_okay=False,
        ),
    ],
    epochs: Annotated[int, typer.Option(min=1, max=200, help="Passes over the frames.")] = 20,
    freeze_backbone: Annotated[
        bool,
        typer.Option(help="Train only the energy head and element energies (small data)."),
    ] = True,
    holdout_fraction: Annotated[
        float, typer.Option(min=0.05, max=0.5, help="Share of structures held out.")
    ] = 0.2,
    queue_only: Annotated[bool, typer.Option(help="Only queue the job for a worker.")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Fine-tune the structure model (CHGNet) on your structures with energies: a
    candidate ``energy_per_atom`` version with its held-out energy and force errors next
    to the shipped model's (run here unless ``--queue-only``)."""
    from matdiscover.domains.training import service
    from matdiscover.domains.training.schemas import StructureTrainingOptions
    from matdiscover.storage import ObjectStore
    from matdiscover.uploads import read_bounded

    with _local(data_dir) as local:
        store = ObjectStore(local.settings.resolved_storage_url)
        with file.open("rb") as fh:
            data = read_bounded(fh, local.settings.max_file_bytes)
        frames = service.structure_frames(data, file.name)
        job = service.start_structure_training(
            local.session,
            store,
            data,
            file.name,
            frames,
            StructureTrainingOptions(
                epochs=epochs, freeze_backbone=freeze_backbone, holdout_fraction=holdout_fraction
            ),
            organization_id=local.organization_id,
            user_id=local.user_id,
            plan_limits=local.settings.plan_limits,
        )
        job_id, factory = job.id, local.factory
        local.session.commit()
        console.print(f"queued structure training job {job_id} ({len(frames)} frames)")
    if not queue_only:
        _run_here(job_id, factory, store, "the structure model", data_dir)


def _run_here(job_id: int, factory: Any, store: Any, what: str, data_dir: Path | None) -> None:
    from matdiscover.domains.training import run

    with console.status(f"fine-tuning {what} ..."):
        out = run.run_training(factory, store, job_id)
    if "error" in out:
        raise typer.Exit(_fail(str(out["error"])))
    console.print(f"[green]candidate version[/] {out.get('model_version_id')}")
    with _local(data_dir) as local:
        from matdiscover.domains.model_registry import service as registry

        row = registry.get(
            local.session, int(out["model_version_id"]), organization_id=local.organization_id
        )
        console.print_json(json.dumps(row.metrics))


def _fail(message: str) -> int:
    console.print(f"[red]training failed:[/] {message}")
    return 1
