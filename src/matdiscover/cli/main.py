"""The ``matdiscover`` command line."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from matdiscover import __version__
from matdiscover.cli import (
    batch_commands,
    campaign_commands,
    compounds_commands,
    db_commands,
    import_commands,
    materials_commands,
    models_commands,
    molecules_commands,
    projects_commands,
    search_commands,
    users_commands,
)
from matdiscover.cli.errors import handle_errors
from matdiscover.cli.predict_command import predict
from matdiscover.settings import Settings, get_settings

app = typer.Typer(
    name="matdiscover",
    help="MatDiscover: AI-assisted materials discovery. Run `matdiscover serve` to start.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(materials_commands.app, name="materials")
app.add_typer(compounds_commands.app, name="compounds")
app.add_typer(projects_commands.app, name="projects")
app.add_typer(campaign_commands.app, name="campaign")
app.add_typer(molecules_commands.app, name="molecules")
app.add_typer(models_commands.app, name="models")
app.command(name="predict")(predict)
app.add_typer(batch_commands.app, name="batch")
app.add_typer(import_commands.app, name="import")
app.add_typer(users_commands.users_app, name="users")
app.add_typer(users_commands.orgs_app, name="orgs")
app.command(name="search")(search_commands.search)
app.command(name="similar")(search_commands.similar)
app.command(name="phase-diagram")(search_commands.phase_diagram)
app.command(name="workers")(batch_commands.handle_errors(batch_commands.workers_command))


def settings_with(data_dir: Path | None = None, **overrides: object) -> Settings:
    settings = get_settings()
    update = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        update["data_dir"] = data_dir
    return settings.model_copy(update=update) if update else settings


def _version(value: bool) -> None:
    if value:
        typer.echo(f"matdiscover {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@app.command()
@handle_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (MATDISCOVER_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (MATDISCOVER_PORT).")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (MATDISCOVER_DATA_DIR).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes to start (MATDISCOVER_WORKERS).")
    ] = None,
) -> None:
    """Start the database (if embedded), apply migrations, start the API and worker(s)."""
    from matdiscover.cli.serve import serve as run_serve

    settings = settings_with(data_dir, host=host, port=port)
    logging.getLogger("matdiscover").setLevel(logging.INFO)
    run_serve(settings, workers=workers if workers is not None else settings.workers)


@app.command()
def worker(
    queue: Annotated[
        list[str] | None,
        typer.Option("--queue", "-q", help="Queue(s) to listen on (default: all)."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once.")] = 1,
    data_dir: Annotated[Path | None, typer.Option(help="Data directory.")] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Serve this worker's Prometheus /metrics on this port "
            "(MATDISCOVER_WORKER_METRICS_PORT; bind: MATDISCOVER_WORKER_METRICS_HOST).",
        ),
    ] = None,
) -> None:
    """Run a job-queue worker (on any machine that reaches the database)."""
    from matdiscover.worker.main import run_worker

    logging.getLogger("matdiscover").setLevel(logging.INFO)
    settings = settings_with(data_dir)
    if metrics_port is not None:
        settings = settings.model_copy(update={"worker_metrics_port": metrics_port})
    run_worker(settings, queues=queue or None, concurrency=concurrency)


if __name__ == "__main__":
    app()
