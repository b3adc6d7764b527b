"""``matdiscover db ...``: schema management."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from matdiscover.cli.errors import handle_errors
from matdiscover.settings import settings_for

app = typer.Typer(help="Database schema and data.", no_args_is_help=True)
console = Console()


@app.command("upgrade")
@handle_errors
def upgrade_cmd(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    data_dir: Annotated[Path | None, typer.Option(help="Data directory.")] = None,
) -> None:
    """Apply database migrations (creates the embedded database if needed)."""
    from matdiscover.cli.database import open_database
    from matdiscover.db.migrate import current_revision, upgrade

    with open_database(settings_for(data_dir), migrate=False) as db:
        before = current_revision(db.engine)
        upgrade(db.engine, revision)
        after = current_revision(db.engine)
    console.print(f"database schema: {before or 'empty'} → [bold]{after}[/]")


@app.command("status")
@handle_errors
def status_cmd(
    data_dir: Annotated[Path | None, typer.Option(help="Data directory.")] = None,
) -> None:
    """Show the schema revision of the database and the latest one available."""
    from matdiscover.cli.database import open_database
    from matdiscover.db.migrate import current_revision, head_revision

    with open_database(settings_for(data_dir), migrate=False) as db:
        console.print(f"current: {current_revision(db.engine) or 'empty'}; head: {head_revision()}")


@app.command("load-reference")
@handle_errors
def load_reference_cmd(
    force: Annotated[bool, typer.Option(help="Reload tables even if already loaded.")] = False,
    table: Annotated[list[str] | None, typer.Option(help="Only these tables (repeatable).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data directory.")] = None,
) -> None:
    """Load the bundled Materials Project, AFLOW and OQMD tables as reference entries."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    from matdiscover.cli.database import open_database
    from matdiscover.domains.reference.service import load_reference

    settings = settings_for(data_dir)
    columns = (
        TextColumn("{task.description:<34}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with open_database(settings) as db, Progress(*columns, console=console) as progress:
        bars: dict[str, TaskID] = {}

        def update(name: str, done: int, total: int) -> None:
            if name not in bars:
                bars[name] = progress.add_task(name, total=total)
            progress.update(bars[name], completed=done, total=total)

        report = load_reference(db.engine, tables=table or None, force=force, progress=update)
    console.print(
        f"loaded {report.total_loaded:,} reference entries from {len(report.loaded)} table(s) "
        f"in {report.seconds:.0f} s; {len(report.skipped)} table(s) already up to date"
    )
