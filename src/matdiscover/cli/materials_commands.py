"""``matdiscover materials ...``: add, list and show materials in the local database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from matdiscover.cli.errors import handle_errors
from matdiscover.domains.materials.schemas import KnownMatch, MaterialRead, material_read
from matdiscover.domains.search.service import MaterialQuery, search
from matdiscover.settings import settings_for

app = typer.Typer(help="Add, list and show materials.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

DataDirOpt = Annotated[Path | None, typer.Option(help="Data directory (MATDISCOVER_DATA_DIR).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def known_match_text(known: KnownMatch | None, *, with_url: bool = False) -> str:
    """One line for a material's ``known_match``: "matches mp-22862", "new polymorph of
    a known compound (NaCl, 3 known structures)", ... ("-" if not checked)."""
    if known is None:
        return "-"
    if known.kind == "match":
        text = f"matches {known.source_id}"
        if known.source_database != "materials_project":
            text += f" ({known.source_database})"
        return f"{text} {known.url}" if with_url and known.url else text
    if known.kind == "new_polymorph":
        n = known.known_structures or 0
        plural = "structure" if n == 1 else "structures"
        return f"new polymorph of a known compound ({known.reduced_formula}, {n} known {plural})"
    if known.kind == "known_composition":
        return "known compound, no reference structure"
    return "new compound"


def _table(rows: list[MaterialRead], *, title: str | None = None) -> Table:
    table = Table(title=title)
    known = any(r.known_match is not None for r in rows)
    columns = ["id", "formula", "space group", "crystal system", "sites", "source"]
    columns += ["known structure", "notes"] if known else ["notes"]
    for col in columns:
        table.add_column(col, overflow="fold")
    for r in rows:
        sg = f"{r.space_group_symbol} ({r.space_group_number})" if r.space_group_number else "-"
        notes = []
        if r.duplicate_of:
            notes.append(f"duplicate of {r.duplicate_of}")
        if not r.is_ordered:
            notes.append("disordered")
        notes.extend(r.warnings)
        cells = [
            str(r.id),
            r.reduced_formula,
            sg,
            r.crystal_system or "-",
            str(r.nsites or "-"),
            r.filename or r.source_database or r.source,
        ]
        if known:
            cells.append(known_match_text(r.known_match))
        table.add_row(*cells, "; ".join(notes))
    return table


@app.command("add")
@handle_errors
def add(
    files: Annotated[list[Path], typer.Argument(help="Structure files or .zip archives.")],
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read structure files and store every valid structure as a material."""
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.materials import service
    from matdiscover.domains.organizations.service import ensure_local_identity

    settings = settings_for(data_dir)
    uploads: list[service.UploadFile] = []
    read_errors: list[tuple[str, str]] = []
    for path in files:
        try:
            size = path.stat().st_size
            if size > settings.max_upload_bytes:
                read_errors.append(
                    (str(path), f"file is larger than {settings.max_upload_bytes} bytes")
                )
                continue
            uploads.append(service.UploadFile(path.name, path.read_bytes()))
        except OSError as exc:
            read_errors.append((str(path), f"cannot read file: {exc.strerror or exc}"))
    with open_database(settings) as db, session_scope(db.session_factory) as session:
        caller = ensure_local_identity(session)
        outcome = service.ingest_files(
            session,
            uploads,
            organization_id=caller.organization_id,
            limits=settings.parse_limits(),
            symprec=settings.symprec,
        )
        created = [(material_read(row), label) for row, label in outcome.created]
    errors = read_errors + outcome.errors
    if as_json:
        out = [{**m.model_dump(mode="json"), "label": label} for m, label in created]
        out += [{"filename": n, "error": e} for n, e in errors]
        typer.echo(json.dumps(out, indent=2))
    else:
        if created:
            console.print(
                _table([m for m, _ in created], title=f"{len(created)} material(s) added")
            )
        for name, message in errors:
            err.print(f"[red]✗ {name}[/]: {message}")
    if not created:
        raise typer.Exit(1)


@app.command("list")
@handle_errors
def list_cmd(
    formula: Annotated[str | None, typer.Option(help="Cell or reduced formula.")] = None,
    elements: Annotated[str | None, typer.Option(help="Must contain all, e.g. Fe,O")] = None,
    chemsys: Annotated[str | None, typer.Option(help="Exactly these elements, e.g. Fe-O")] = None,
    reference: Annotated[bool, typer.Option(help="Include reference entries.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    cursor: Annotated[str | None, typer.Option(help="Cursor of the next page.")] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List materials (yours by default)."""
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.organizations.service import ensure_local_identity

    filters = MaterialQuery(
        formula=formula,
        elements=elements.split(",") if elements else None,
        chemical_system=chemsys,
        include_reference=reference,
    )
    with open_database(settings_for(data_dir)) as db, session_scope(db.session_factory) as session:
        caller = ensure_local_identity(session)
        result = search(
            session, filters, organization_id=caller.organization_id, limit=limit, cursor=cursor
        )
        items = [material_read(r) for r, _ in result.rows]
        total, next_cursor = result.total, result.next_cursor
    if as_json:
        payload = {
            "items": [m.model_dump(mode="json") for m in items],
            "total": total,
            "next_cursor": next_cursor,
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    console.print(_table(items, title=f"{len(items)} of {total} material(s)"))
    if next_cursor:
        console.print(f"next page: --cursor {next_cursor}")


@app.command("show")
@handle_errors
def show(
    material_id: Annotated[int, typer.Argument(help="Material id.")],
    structure: Annotated[
        Literal["cif", "poscar", "json"] | None,
        typer.Option(help="Also print the structure in this format."),
    ] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one material (and optionally its structure file)."""
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.materials import service
    from matdiscover.domains.organizations.service import ensure_local_identity

    with open_database(settings_for(data_dir)) as db, session_scope(db.session_factory) as session:
        caller = ensure_local_identity(session)
        row = service.get(session, material_id, organization_id=caller.organization_id)
        service.ensure_known_match(session, row)
        item = material_read(row)
        text = service.export_structure(row, structure) if structure else None
    if as_json:
        payload = item.model_dump(mode="json")
        if text is not None:
            payload["structure_text"] = text
        typer.echo(json.dumps(payload, indent=2))
        return
    table = Table(show_header=False, title=f"Material {item.id}")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    lat = item.lattice
    fields = {
        "formula": f"{item.formula} (reduced {item.reduced_formula})",
        "chemical system": item.chemical_system,
        "space group": f"{item.space_group_symbol} ({item.space_group_number})"
        if item.space_group_number
        else "-",
        "crystal system": item.crystal_system or "-",
        "sites": str(item.nsites),
        "lattice": f"a={lat.a:.4f} b={lat.b:.4f} c={lat.c:.4f} Å; "
        f"α={lat.alpha:.2f} β={lat.beta:.2f} γ={lat.gamma:.2f}°"
        if lat
        else "-",
        "volume": f"{item.volume:.3f} Å³" if item.volume else "-",
        "density": f"{item.density:.4f} g/cm³" if item.density else "-",
        "ordered": "yes" if item.is_ordered else "no (partial occupancies)",
        "source": item.filename or item.source,
        "duplicate of": str(item.duplicate_of or "-"),
        "known structure": known_match_text(item.known_match, with_url=True),
        "warnings": "; ".join(item.warnings) or "-",
    }
    for k, v in fields.items():
        table.add_row(k, v)
    console.print(table)
    if text is not None:
        typer.echo(text)
