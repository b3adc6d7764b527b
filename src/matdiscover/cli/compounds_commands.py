"""``matdiscover compounds list`` and ``matdiscover compounds show``: the known compounds
(one per reduced formula, every shipped source merged), on the local database through
the same service as ``GET /api/v1/compounds``; ``--json`` prints the API's shape."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from matdiscover.cli.errors import handle_errors
from matdiscover.cli.format import format_with_sigma
from matdiscover.cli.search_commands import DataDirOpt, JsonOpt, _fmt, _ranges
from matdiscover.errors import InvalidInput
from matdiscover.science.properties import PROPERTY_NAMES
from matdiscover.settings import settings_for

app = typer.Typer(help="Known compounds: reference values, structures, citable sources.")
console = Console()


@app.command("list")
@handle_errors
def list_compounds(
    formula: Annotated[str | None, typer.Option(help="Formula; * wildcard (Li*O4).")] = None,
    q: Annotated[str | None, typer.Option("--q", "-q", help="Fuzzy formula text.")] = None,
    elements: Annotated[str | None, typer.Option(help="Contains all, e.g. Fe,O.")] = None,
    chemsys: Annotated[str | None, typer.Option(help="Li-Fe-O exactly; Li-Fe-* at least.")] = None,
    nelements: Annotated[int | None, typer.Option(help="Number of elements.")] = None,
    spacegroup: Annotated[
        int | None, typer.Option(help="A known structure has this space group number.")
    ] = None,
    crystal_system: Annotated[str | None, typer.Option(help="e.g. cubic.")] = None,
    with_structure: Annotated[
        bool | None,
        typer.Option("--with-structure/--without-structure", help="Has a known structure."),
    ] = None,
    prop: Annotated[
        list[str] | None,
        typer.Option(
            help=f"Reference value range NAME=MIN:MAX, NAME one of {', '.join(PROPERTY_NAMES)} "
            "(repeatable; all must hold)."
        ),
    ] = None,
    stable: Annotated[
        bool | None, typer.Option("--stable/--unstable", help="E_hull ≤ 1 meV/atom.")
    ] = None,
    sort: Annotated[
        str, typer.Option(help="id, reduced_formula, n_structures, relevance or a property.")
    ] = "id",
    desc: Annotated[bool, typer.Option(help="Descending order.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    cursor: Annotated[str | None, typer.Option(help="Cursor of the next page.")] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search the known compounds (same filters as GET /api/v1/compounds)."""
    from pydantic import ValidationError

    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.compounds import service
    from matdiscover.domains.compounds.schemas import CompoundSearchParams

    try:
        params = CompoundSearchParams.model_validate(
            {
                "formula": formula,
                "q": q,
                "elements": [elements] if elements else None,
                "chemical_system": chemsys,
                "nelements": nelements,
                "space_group_number": spacegroup,
                "crystal_system": crystal_system,
                "has_structure": with_structure,
                "is_stable": stable,
                **_ranges(prop),
                "sort": sort,
                "order": "desc" if desc else "asc",
                "limit": limit,
                "cursor": cursor,
            }
        )
    except ValidationError as exc:
        raise InvalidInput(str(exc.errors()[0]["msg"]) + f" ({exc.errors()[0]['loc']})") from exc
    with open_database(settings_for(data_dir)) as db, session_scope(db.session_factory) as session:
        page = service.search_page(session, params)
    if as_json:
        typer.echo(page.model_dump_json(indent=2))
        return
    about = "≈" if page.total_is_estimate else ""
    table = Table(title=f"{len(page.items)} of {about}{page.total:,} known compound(s)")
    for col in ("id", "formula", "chemsys", "reference values", "structures", "sources"):
        table.add_column(col, overflow="fold")
    for c in page.items:
        values = ", ".join(
            f"{k}={_fmt(c.properties[k])}" for k in PROPERTY_NAMES if k in c.properties
        )
        groups = ", ".join(str(g) for g in c.space_group_numbers[:6])
        table.add_row(
            str(c.id),
            c.reduced_formula,
            c.chemical_system,
            values or "-",
            f"{c.n_structures} (sg {groups})" if c.n_structures else "0",
            ", ".join(link.source_id for link in c.links[:3]) or "-",
        )
    console.print(table)
    if page.next_cursor:
        console.print(f"next page: --cursor {page.next_cursor}")


@app.command("show")
@handle_errors
def show(
    key: Annotated[str, typer.Argument(help="Compound id or any formula (LiFePO4).")],
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One compound: every reference value with its source, its known structures (with
    citable ids and links) and your materials of the same formula."""
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.compounds import service
    from matdiscover.domains.organizations.service import ensure_local_identity

    with open_database(settings_for(data_dir)) as db, session_scope(db.session_factory) as session:
        org = ensure_local_identity(session).organization_id
        page = service.detail(session, key, organization_id=org)
    if as_json:
        typer.echo(page.model_dump_json(indent=2))
        return
    console.print(
        f"[bold]{page.reduced_formula}[/bold]  {page.chemical_system}  "
        f"({page.n_entries} reference entries, {page.n_structures} known structures)"
    )
    values = Table(title="Reference values (* headline)")
    for col in ("property", "value", "unit", "source", "entries", "range", "e.g."):
        values.add_column(col, overflow="fold")
    for v in page.reference_values:
        values.add_row(
            v.display_name + (" *" if v.headline else ""),
            _fmt(v.value),
            v.unit,
            f"{v.source_database} / {v.table}",
            str(v.n_entries),
            f"{_fmt(v.min)} to {_fmt(v.max)}" if v.n_entries > 1 else "-",
            v.entries[0].label if v.entries else "-",
        )
    console.print(values)
    if page.structures:
        structures = Table(title="Known structures")
        for col in ("material id", "source", "space group", "sites", "link"):
            structures.add_column(col, overflow="fold")
        for s in page.structures:
            sg = f"{s.space_group_symbol} ({s.space_group_number})" if s.space_group_number else "-"
            structures.add_row(str(s.material_id), s.label, sg, str(s.nsites or "-"), s.url or "-")
        console.print(structures)
    if page.own_materials:
        own = Table(title=f"Your materials of this formula ({page.own_materials_total})")
        for col in ("id", "formula", "source", "latest predictions"):
            own.add_column(col, overflow="fold")
        for m in page.own_materials:
            preds = ", ".join(
                f"{p.property}={format_with_sigma(p.value, p.std)}" for p in m.predictions
            )
            own.add_row(str(m.id), m.formula, m.filename or m.source, preds or "-")
        console.print(own)
