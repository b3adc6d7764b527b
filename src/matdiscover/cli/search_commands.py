"""``matdiscover search``, ``matdiscover similar`` and ``matdiscover phase-diagram``.

All three work on the local database (embedded by default) through the same services as
the REST API; ``--json`` prints the API's response shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from matdiscover.cli.errors import handle_errors
from matdiscover.cli.format import format_value
from matdiscover.errors import InvalidInput
from matdiscover.science.properties import PROPERTY_NAMES
from matdiscover.settings import settings_for

console = Console()

DataDirOpt = Annotated[Path | None, typer.Option(help="Data directory (MATDISCOVER_DATA_DIR).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def _ranges(specs: list[str] | None) -> dict[str, float]:
    """``["band_gap=1:3", "bulk_modulus=100:"]`` → ``{"band_gap_min": 1, ...}``."""
    out: dict[str, float] = {}
    for spec in specs or []:
        name, _, bounds = spec.partition("=")
        lo, sep, hi = bounds.partition(":")
        if not name or not sep:
            raise InvalidInput(f"--prop expects NAME=MIN:MAX (either side may be empty): {spec!r}")
        try:
            if lo.strip():
                out[f"{name.strip()}_min"] = float(lo)
            if hi.strip():
                out[f"{name.strip()}_max"] = float(hi)
        except ValueError as exc:
            raise InvalidInput(f"bad number in {spec!r}") from exc
    return out


def _fmt(v: Any) -> str:
    """A table cell with the UI's number rules (see :mod:`matdiscover.cli.format`)."""
    return format_value(v)


@handle_errors
def search(
    formula: Annotated[str | None, typer.Option(help="Formula; * wildcard (Li*O4).")] = None,
    anonymous: Annotated[str | None, typer.Option(help="Prototype, e.g. ABO3.")] = None,
    q: Annotated[str | None, typer.Option("--q", "-q", help="Fuzzy formula text.")] = None,
    fuzzy: Annotated[bool, typer.Option(help="Typo-tolerant --formula.")] = False,
    elements: Annotated[str | None, typer.Option(help="Contains all, e.g. Fe,O.")] = None,
    any_of: Annotated[str | None, typer.Option("--any", help="Contains any of.")] = None,
    exclude: Annotated[str | None, typer.Option(help="Contains none of.")] = None,
    chemsys: Annotated[str | None, typer.Option(help="Li-Fe-O exactly; Li-Fe-* at least.")] = None,
    nelements: Annotated[int | None, typer.Option(help="Number of elements.")] = None,
    spacegroup: Annotated[int | None, typer.Option(help="Space group number.")] = None,
    crystal_system: Annotated[str | None, typer.Option(help="e.g. cubic.")] = None,
    database: Annotated[
        str | None, typer.Option(help="materials_project | aflow | oqmd | experimental.")
    ] = None,
    prop: Annotated[
        list[str] | None,
        typer.Option(
            help=f"Property range NAME=MIN:MAX, NAME one of {', '.join(PROPERTY_NAMES)}; "
            "e.g. NAME=1:3 or NAME=100: (repeatable)."
        ),
    ] = None,
    values: Annotated[
        str, typer.Option(help="Property values from reference | predicted | any.")
    ] = "reference",
    stable: Annotated[
        bool | None, typer.Option("--stable/--unstable", help="E_hull ≤ 1 meV/atom.")
    ] = None,
    mine: Annotated[bool, typer.Option(help="Only your materials (no reference).")] = False,
    sort: Annotated[
        str, typer.Option(help="id, formula, relevance or a property name (see --prop).")
    ] = "id",
    desc: Annotated[bool, typer.Option(help="Descending order.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    cursor: Annotated[str | None, typer.Option(help="Cursor of the next page.")] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search your materials and the reference database (same filters as the REST API)."""
    from pydantic import ValidationError

    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.organizations.service import ensure_local_identity
    from matdiscover.domains.search import service as search_module

    if sort not in search_module.SortKey.__args__:  # type: ignore[attr-defined]
        raise InvalidInput(f"unknown sort key {sort!r}")
    try:
        params = search_module.MaterialSearchParams.model_validate(
            {
                "formula": formula,
                "anonymous_formula": anonymous,
                "q": q,
                "fuzzy": fuzzy,
                "elements": [elements] if elements else None,
                "elements_any": [any_of] if any_of else None,
                "elements_exclude": [exclude] if exclude else None,
                "chemical_system": chemsys,
                "nelements": nelements,
                "space_group_number": spacegroup,
                "crystal_system": crystal_system,
                "source_database": database,
                "property_source": values,
                "is_stable": stable,
                "include_reference": not mine,
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
        caller = ensure_local_identity(session)
        page = search_module.search_page(session, params, organization_id=caller.organization_id)
    if as_json:
        typer.echo(page.model_dump_json(indent=2))
        return
    hits = page.items
    about = "≈" if page.total_is_estimate else ""
    table = Table(title=f"{len(hits)} of {about}{page.total:,} match(es)")
    for col in ("id", "formula", "chemsys", "database", "properties", sort):
        table.add_column(col, overflow="fold")
    for h in hits:
        props = ", ".join(f"{k}={_fmt(v)}" for k, v in h.properties.items())
        table.add_row(
            str(h.id),
            h.reduced_formula,
            h.chemical_system,
            h.source_database or ("yours" if not h.is_reference else h.source),
            props or "-",
            _fmt(h.sort_value),
        )
    console.print(table)
    if page.next_cursor:
        console.print(f"next page: --cursor {page.next_cursor}")


@handle_errors
def similar(
    target: Annotated[str, typer.Argument(help="Material id, formula, or structure file.")],
    k: Annotated[int, typer.Option("-k", min=1, max=200, help="Neighbours.")] = 20,
    by: Annotated[str, typer.Option(help="composition | structure.")] = "composition",
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The materials most similar to a material id, a formula or a structure file."""
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.organizations.service import ensure_local_identity
    from matdiscover.domains.similarity import service

    if by not in ("composition", "structure"):
        raise InvalidInput("--by must be composition or structure")
    settings = settings_for(data_dir)
    path = Path(target)
    structure = None
    if not target.isdigit() and path.is_file():
        from matdiscover.errors import InvalidStructure
        from matdiscover.science.io import read_structures_isolated

        result = read_structures_isolated(
            path.read_bytes(), path.name, symprec=settings.symprec, limits=settings.parse_limits()
        )
        if not result.structures:
            raise InvalidStructure("; ".join(m for _, m in result.errors) or "no structure")
        structure = result.structures[0].structure
    with open_database(settings) as db, session_scope(db.session_factory) as session:
        org = ensure_local_identity(session).organization_id
        if target.isdigit():
            page = service.similar_to_material(
                session,
                int(target),
                organization_id=org,
                k=k,
                by=by,  # type: ignore[arg-type]
            )
        else:
            page = service.similar_to_input(
                session,
                organization_id=org,
                formula=None if structure is not None else target,
                structure=structure,
                label=path.name if structure is not None else target,
                k=k,
                by=by,  # type: ignore[arg-type]
            )
    if as_json:
        typer.echo(page.model_dump_json(indent=2))
        return
    if page.query_compound is not None:
        known = ", ".join(
            f"{s.source_id} ({s.space_group_symbol or '?'})" for s in page.other_structures[:8]
        )
        console.print(
            f"{page.query_compound.reduced_formula} is a known compound"
            + (f"; known structures: {known}" if known else "")
        )
    table = Table(title=f"{len(page.items)} material(s) similar to {page.query} by {page.by}")
    columns = ["id", "formula", "similarity", "entries", "source", "space group"]
    if page.by == "structure":
        columns.append("same structure type")
    for col in columns:
        table.add_column(col)
    for item in page.items:
        m = item.material
        row = [
            str(m.id),
            m.reduced_formula,
            f"{item.similarity:.3f}",
            str(item.entries),
            (m.source_id if m.is_reference and m.source_id and ":" not in m.source_id else None)
            or m.source_database
            or ("yours" if not m.is_reference else m.source),
            m.space_group_symbol or "-",
        ]
        if page.by == "structure":
            row.append("yes" if item.isostructural else "-")
        table.add_row(*row)
    console.print(table)


@handle_errors
def phase_diagram(
    chemsys: Annotated[str, typer.Argument(help="Chemical system, e.g. Li-Fe-O (≤ 4).")],
    png: Annotated[Path | None, typer.Option(help="Write a plot to this PNG file.")] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Convex hull of a chemical system: stable phases, energies above hull, a plot."""
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.domains.organizations.service import ensure_local_identity
    from matdiscover.domains.thermo import service

    with open_database(settings_for(data_dir)) as db, session_scope(db.session_factory) as session:
        org = ensure_local_identity(session).organization_id
        pd_ = service.get_phase_diagram(session, chemsys, organization_id=org)
    if png is not None:
        plot_phase_diagram(pd_, png)
    if as_json:
        typer.echo(pd_.model_dump_json(indent=2))
        return
    table = Table(title=f"{pd_.chemsys}: {len(pd_.stable)} stable of {len(pd_.entries)} entries")
    for col in ("entry", "E_form (eV/atom)", "E_hull (eV/atom)", "decomposes to"):
        table.add_column(col)
    for e in sorted(pd_.entries, key=lambda e: (e.e_above_hull, e.name)):
        dec = " + ".join(f"{p.fraction:.2f} {p.formula}" for p in e.decomposition)
        name = f"[bold]{e.name}[/]" if e.is_stable else e.name
        table.add_row(name, f"{e.formation_energy_per_atom:.3f}", f"{e.e_above_hull:.3f}", dec)
    console.print(table)
    console.print(f"hull: {pd_.provenance.dataset} ({pd_.provenance.convention})")
    if png is not None:
        console.print(f"plot written to {png}")


def plot_phase_diagram(pd_: Any, path: Path) -> None:
    """Binary: E_form vs composition with the hull; ternary: Gibbs triangle with tie lines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 6))

    def scatter(points: list[Any], **style: Any) -> None:
        ax.scatter([e.x for e in points], [e.y for e in points], **style)

    entries = {e.name: e for e in pd_.entries}
    n = len(pd_.elements)
    for a, b in pd_.tie_lines:
        ea, eb = entries.get(a), entries.get(b)
        if ea is None or eb is None or ea.x is None or eb.x is None:
            continue
        ax.plot([ea.x, eb.x], [ea.y, eb.y], color="0.4", lw=1, zorder=1)
    unstable = [e for e in pd_.entries if not e.is_stable and e.x is not None]
    stable = [e for e in pd_.entries if e.is_stable and e.x is not None]
    if n == 2:
        scatter(unstable, c="tab:red", s=12, label="above hull", zorder=2)
        ax.set_xlabel(f"x in {pd_.elements[0]}(1-x){pd_.elements[1]}(x)")
        ax.set_ylabel("formation energy (eV/atom)")
    elif n >= 3:
        ax.plot([0, 1, 0.5, 0], [0, 0, 3**0.5 / 2, 0], color="k", lw=1)
        ax.set_aspect("equal")
        ax.axis("off")
        for el, (x, y) in zip(pd_.elements[:3], [(0, 0), (1, 0), (0.5, 3**0.5 / 2)], strict=False):
            ax.annotate(
                el,
                (x, y),
                textcoords="offset points",
                xytext=(0, -14 if y == 0 else 6),
                ha="center",
                fontsize=12,
                weight="bold",
            )
    scatter(stable, c="tab:blue", s=30, label="stable", zorder=3)
    for e in stable:
        ax.annotate(e.formula, (e.x, e.y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    predicted = [e for e in pd_.entries if e.source == "predicted" and e.x is not None]
    if predicted:
        scatter(predicted, marker="*", s=90, c="tab:orange", label="your predictions", zorder=4)
    ax.set_title(f"{pd_.chemsys} ({pd_.provenance.dataset})")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


__all__ = ["phase_diagram", "plot_phase_diagram", "search", "similar"]
