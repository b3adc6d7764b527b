"""``matdiscover molecules batch FILE``: profile and store a file of molecules on the queue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from matdiscover.cli.batch_commands import KeyOpt, ServerOpt, follow
from matdiscover.cli.client import connect
from matdiscover.cli.errors import handle_errors
from matdiscover.settings import get_settings

console = Console(stderr=True)


@handle_errors
def molecules_batch(
    input_file: Annotated[
        Path,
        typer.Argument(
            help="SMILES list (.smi), CSV/TSV with a 'smiles' column, or SDF/MOL (max 10 MB)."
        ),
    ],
    wait: Annotated[
        bool, typer.Option("--wait", help="Show progress until the job ends; list row errors.")
    ] = False,
    priority: Annotated[str, typer.Option(help="Queue priority: low, normal or high.")] = "normal",
    server: ServerOpt = None,
    api_key: KeyOpt = None,
) -> None:
    """Submit a molecule batch job: each molecule is standardised, profiled and stored.

    Prints the job id. With --wait, follows the job's progress, then lists the rows that
    failed; the exit code is 1 if the job did not succeed.
    """
    if not input_file.is_file():
        raise typer.BadParameter(f"no such file: {input_file}")
    if priority not in ("low", "normal", "high"):
        raise typer.BadParameter("priority must be low, normal or high")
    chosen: Literal["low", "normal", "high"] = priority  # type: ignore[assignment]
    with connect(get_settings(), server, api_key) as client:
        files = {"file": (input_file.name, input_file.read_bytes())}
        job = client.request(
            "POST", "/molecules/batch", files=files, data={"priority": chosen}
        ).json()
        steps = job["params"].get("steps", {})
        console.print(
            f"submitted job {job['id']}: {job['total']} rows, "
            f"{steps.get('parsed', 0)} molecules read"
        )
        typer.echo(job["id"])
        if not wait:
            return
        final = follow(client, job)
        steps = final["params"].get("steps", {})
        console.print(
            f"job {final['id']} {final['status']}: {steps.get('stored', 0)} molecules stored, "
            f"{final['error_count']} row errors"
        )
        if final["error_count"]:
            errs = client.get_json(f"/jobs/{final['id']}/errors", params={"limit": 20})
            for e in errs["items"]:
                console.print(f"  row {e['row']}: {e['input']!r}: {e['error']}")
            if errs["total"] > 20:
                console.print(
                    f"  ... {errs['total'] - 20} more (GET /api/v1/jobs/{final['id']}/errors)"
                )
        if final["status"] != "succeeded":
            console.print(
                f"[red]job {final['id']} {final['status']}[/]: {final.get('error') or ''}"
            )
            raise typer.Exit(1)
