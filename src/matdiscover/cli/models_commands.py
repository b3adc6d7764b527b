"""``matdiscover models ...``: list shipped models and rebuild them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from matdiscover.cli.errors import handle_errors
from matdiscover.cli.format import format_number

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
def list_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Shipped models with their held-out metrics."""
    from matdiscover.science.models.registry import list_model_cards

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
) -> None:
    """Retrain a composition model and write its artifact and card."""
    from matdiscover.errors import InvalidInput
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
