"""``matdiscover batch ...`` and ``matdiscover workers``: screening jobs from the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from matdiscover.cli.client import ServerClient, ServerError, connect
from matdiscover.cli.errors import handle_errors
from matdiscover.settings import get_settings

app = typer.Typer(help="Batch prediction jobs (screening).", no_args_is_help=True)
console = Console(stderr=True)

ServerOpt = Annotated[
    str | None,
    typer.Option(help="Server URL (default: the local server, started if needed)."),
]
KeyOpt = Annotated[
    str | None, typer.Option(help="API key (or MATDISCOVER_API_KEY).", envvar="MATDISCOVER_API_KEY")
]


def follow(client: ServerClient, job: dict[str, Any]) -> dict[str, Any]:
    """Show a live progress bar until the job ends; return its final state."""
    columns = (
        TextColumn("[bold]job {task.fields[job_id]}[/] {task.fields[status]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TextColumn("errors: {task.fields[errors]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task(
            "batch", total=job["total"], job_id=job["id"], status=job["status"], rate="", errors=0
        )
        state = job
        try:
            for event, data in client.events(f"/jobs/{job['id']}/events"):
                if event == "progress":
                    state = data
                    rate = (
                        f"{data['rows_per_second']:.0f} rows/s" if data["rows_per_second"] else ""
                    )
                    progress.update(
                        bar,
                        completed=data["processed"],
                        status=data["status"],
                        rate=rate,
                        errors=data["error_count"],
                    )
                elif event == "end":
                    break
        except ServerError:
            raise
    return client.get_json(f"/jobs/{state['id']}")


@app.command("run")
@handle_errors
def run(
    input_file: Annotated[
        Path,
        typer.Argument(
            help="CSV/TSV/Parquet with a 'formula' column, or a .zip of structure files."
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Results file (.csv or .parquet).")
    ] = None,
    prop: Annotated[
        list[str] | None, typer.Option("--property", "-p", help="Property to predict (repeatable).")
    ] = None,
    store: Annotated[bool, typer.Option(help="Also store rows as searchable materials.")] = False,
    server: ServerOpt = None,
    api_key: KeyOpt = None,
) -> None:
    """Submit a batch job, show its progress, download the results."""
    if not input_file.is_file():
        raise typer.BadParameter(f"no such file: {input_file}")
    out = output or input_file.with_name(input_file.stem + ".predictions.csv")
    fmt = "parquet" if out.suffix.lower() in (".parquet", ".pq") else "csv"
    with connect(get_settings(), server, api_key) as client:
        files = {"file": (input_file.name, input_file.read_bytes())}
        data: dict[str, Any] = {"store": str(store).lower()}
        if prop:
            data["properties"] = prop
        job = client.request("POST", "/jobs/batch-predictions", files=files, data=data).json()
        console.print(f"submitted job {job['id']}: {job['total']} rows")
        final = follow(client, job)
        if final["status"] != "succeeded":
            console.print(
                f"[red]job {final['id']} {final['status']}[/]: {final.get('error') or ''}"
            )
            raise typer.Exit(1)
        content = client.request(
            "GET", f"/jobs/{final['id']}/results", params={"format": fmt}
        ).content
        out.write_bytes(content)
        console.print(
            f"[green]done[/]: {final['total'] - final['error_count']} rows predicted, "
            f"{final['error_count']} errors → {out}"
        )
        if final["error_count"]:
            errs = client.get_json(f"/jobs/{final['id']}/errors", params={"limit": 10})
            for e in errs["items"]:
                console.print(f"  row {e['row']}: {e['input']!r}: {e['error']}")
            if errs["total"] > 10:
                console.print(
                    f"  ... {errs['total'] - 10} more (GET /api/v1/jobs/{final['id']}/errors)"
                )


@app.command("status")
@handle_errors
def status(
    job_id: Annotated[int, typer.Argument()],
    server: ServerOpt = None,
    api_key: KeyOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a job's status and progress."""
    with connect(get_settings(), server, api_key) as client:
        job = client.get_json(f"/jobs/{job_id}")
    if as_json:
        typer.echo(json.dumps(job, indent=2))
        return
    Console().print_json(json.dumps(job))


def workers_command(
    server: ServerOpt = None,
    api_key: KeyOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List live workers: host, pid, queues, last heartbeat, current job."""
    with connect(get_settings(), server, api_key) as client:
        rows = client.get_json("/workers")
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{len(rows)} live worker(s)")
    for col in ("id", "host", "pid", "queues", "heartbeat", "current"):
        table.add_column(col)
    for w in rows:
        current = (
            f"{w['current_task']} (job {w['current_job_id']})" if w["current_task"] else "idle"
        )
        table.add_row(
            str(w["id"]),
            w["host"],
            str(w["pid"]),
            ",".join(w["queues"]),
            f"{w['seconds_since_heartbeat']:.0f} s ago",
            current,
        )
    Console().print(table)
