"""``matdiscover predict``: properties of a structure file or formula, for people or machines."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from matdiscover.cli.errors import handle_errors
from matdiscover.cli.format import format_interval, format_with_sigma, sigma_decimals
from matdiscover.science.properties import PROPERTY_NAMES

console = Console()
err = Console(stderr=True)


def report_to_json(report: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "input": report.input,
        "formula": report.formula,
        "predictions": [
            {
                "property": p.property,
                "value": p.value,
                "unit": p.unit,
                "std": p.std,
                "interval_95": list(p.interval_95),
                "method": p.method,
                "model": p.model,
                "model_version": p.model_version,
                "in_domain": p.in_domain,
                "warnings": list(p.warnings),
            }
            for p in report.predictions
        ],
        "warnings": list(report.warnings),
    }
    if report.relaxation is not None:
        r = report.relaxation
        out["relaxation"] = {
            "converged": r.converged,
            "steps": r.steps,
            "max_force": r.max_force,
            "message": r.message,
        }
    return out


@handle_errors
def predict(
    target: Annotated[
        str, typer.Argument(help="A structure file (CIF, POSCAR, XYZ, JSON) or a formula.")
    ],
    prop: Annotated[
        list[str] | None,
        typer.Option(
            "--property",
            "-p",
            help=f"{', '.join(PROPERTY_NAMES)} (repeatable; default all).",
        ),
    ] = None,
    relax: Annotated[bool, typer.Option(help="Relax the structure with CHGNet first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """Predict properties with calibrated uncertainty (no server or database needed)."""
    from matdiscover.science.predict import predict as run_predict

    report = run_predict(target, properties=prop or None, relax=relax)
    if as_json:
        typer.echo(json.dumps(report_to_json(report), indent=2))
        return
    table = Table(title=f"{report.formula}  ({report.input})")
    for col in ("property", "value ± σ", "95 % interval", "unit", "method", "notes"):
        table.add_column(col, overflow="fold")
    for p in report.predictions:
        table.add_row(
            p.property,
            format_with_sigma(p.value, p.std),
            format_interval(*p.interval_95, decimals=sigma_decimals(p.value, p.std)),
            p.unit,
            p.method,
            ("[yellow]out of domain[/] " if not p.in_domain else "") + "; ".join(p.warnings),
        )
    console.print(table)
    for p in report.predictions:
        console.print(f"  [dim]{p.property}: {p.model} (version {p.model_version})[/]")
    if report.relaxation is not None:
        r = report.relaxation
        state = "[green]converged[/]" if r.converged else "[red]NOT converged[/]"
        console.print(f"relaxation: {state} in {r.steps} steps, max force {r.max_force:.3g} eV/Å")
    for w in report.warnings:
        err.print(f"[yellow]warning:[/] {w}")
