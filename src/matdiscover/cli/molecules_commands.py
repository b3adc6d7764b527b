"""``matdiscover molecules ...``: add, list, show, search and export molecules and import
ChEMBL activity tables, on the local database through the same services as
``/api/v1/molecules`` (scoped to the local organisation like an API request; ``--json``
prints what the API returns)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from matdiscover.cli.errors import handle_errors
from matdiscover.cli.molecules_batch_command import molecules_batch
from matdiscover.cli.search_commands import DataDirOpt, JsonOpt
from matdiscover.domains.identity import Caller
from matdiscover.errors import InputTooLarge, InvalidInput
from matdiscover.settings import Settings, settings_for

app = typer.Typer(help="Molecules: SMILES in, descriptors, alerts, activities, O[Q/P/L]A score.")
console = Console()


@dataclass(frozen=True)
class Local:
    session: Session
    caller: Caller
    settings: Settings


@contextmanager
def _local(data_dir: Path | None) -> Iterator[Local]:
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope
    from matdiscover.db.tenancy import bind_tenant
    from matdiscover.domains.organizations.service import ensure_local_identity

    settings = settings_for(data_dir)
    with open_database(settings) as db, session_scope(db.session_factory) as session:
        caller = ensure_local_identity(session)
        bind_tenant(session, caller.organization_id)
        yield Local(session, caller, settings)


def _number(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


@app.command("add")
@handle_errors
def add(
    smiles: Annotated[str, typer.Argument(help="The molecule as SMILES.")],
    name: Annotated[str | None, typer.Option(help="A name for it.")] = None,
    activity: Annotated[
        float | None, typer.Option(help="A measured activity value (in --unit).")
    ] = None,
    unit: Annotated[str, typer.Option(help="M, mM, uM, nM, pM; empty for pKi etc.")] = "nM",
    activity_type: Annotated[str | None, typer.Option("--type", help="Ki, IC50, pKi...")] = None,
    relation: Annotated[str, typer.Option(help="=, <, >, <=, >=, ~")] = "=",
    target: Annotated[str | None, typer.Option(help="Target id, e.g. CHEMBL230.")] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add one molecule (re-adding the same molecule returns the stored one)."""
    from matdiscover.domains.molecules import service
    from matdiscover.domains.molecules.views import to_read
    from matdiscover.science.chemistry import (
        Activity,
        MoleculeRow,
        normalise_relation,
        p_activity,
        parse_smiles,
    )

    row_activity = None
    if activity is not None:
        row_activity = Activity(
            value=activity,
            unit=unit,  # ignored for log-scale types (pKi, pIC50...)
            type=activity_type,
            relation=normalise_relation(relation),
            target=target,
        )
        p_activity(row_activity)  # an unusable activity stops here, before anything is stored
    mol = parse_smiles(smiles)
    with _local(data_dir) as local:
        row = MoleculeRow(row=1, mol=mol, smiles=smiles, name=name, activity=row_activity)
        result = service.add_molecules(
            local.session,
            local.caller,
            [row],
            source="api",
            score=service.score_settings(local.settings),
        )
        outcome = result.outcomes[0]
        if outcome.molecule_id is None:
            raise InvalidInput(outcome.error or "the molecule could not be stored")
        m = service.get(
            local.session, outcome.molecule_id, organization_id=local.caller.organization_id
        )
        read = to_read(local.session, m, created=outcome.created)
    if as_json:
        typer.echo(read.model_dump_json(indent=2))
        return
    verb = "added" if read.created else "already stored as"
    score = _number(read.score_total, 1) or "-"
    console.print(f"{verb} molecule {read.id}: {read.smiles} ({read.classification}, {score})")


@app.command("list")
@handle_errors
def list_molecules(
    sort: Annotated[
        Literal["score", "name", "mw", "clogp", "qed", "created"], typer.Option(help="Sort key.")
    ] = "score",
    order: Annotated[Literal["asc", "desc"] | None, typer.Option(help="Default by key.")] = None,
    classification: Annotated[
        Literal["Strong", "Moderate", "Weak", "Unscored"] | None,
        typer.Option(help="Only this class."),
    ] = None,
    pains: Annotated[
        bool | None, typer.Option("--pains/--no-pains", help="Only with / without PAINS alerts.")
    ] = None,
    q: Annotated[str | None, typer.Option(help="Substring of the name or SMILES.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Your molecules, best O[Q/P/L]A score first (like GET /api/v1/molecules)."""
    from matdiscover.domains.molecules import search
    from matdiscover.domains.molecules.schemas import MoleculePage
    from matdiscover.domains.molecules.views import summary

    with _local(data_dir) as local:
        rows, total, used = search.list_molecules(
            local.session,
            organization_id=local.caller.organization_id,
            sort=sort,
            order=order,
            classification=classification,
            has_pains=pains,
            q=q,
            limit=limit,
            offset=offset,
        )
        page = MoleculePage(
            items=[summary(m) for m in rows],
            total=total,
            limit=limit,
            offset=offset,
            sort=sort,
            order=used,
        )
    if as_json:
        typer.echo(page.model_dump_json(indent=2))
        return
    table = Table(title=f"{len(page.items)} of {total} molecule(s), by {sort} {used}")
    for col in (
        "id",
        "name",
        "SMILES",
        "score",
        "class",
        "pActivity",
        "MW",
        "cLogP",
        "QED",
        "PAINS",
    ):
        table.add_column(col, overflow="fold")
    for m in page.items:
        table.add_row(
            str(m.id),
            m.name or "",
            m.smiles,
            _number(m.score_total, 1),
            m.classification,
            _number(m.p_activity),
            _number(m.mw, 1),
            _number(m.clogp),
            _number(m.qed),
            "yes" if m.has_pains else "",
        )
    console.print(table)


@app.command("show")
@handle_errors
def show(
    molecule_id: Annotated[int, typer.Argument(help="Molecule id.")],
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Descriptors, alerts with atoms, score components with weights, activities."""
    from matdiscover.domains.molecules import service
    from matdiscover.domains.molecules.views import to_read

    with _local(data_dir) as local:
        m = service.get(local.session, molecule_id, organization_id=local.caller.organization_id)
        read = to_read(local.session, m)
    if as_json:
        typer.echo(read.model_dump_json(indent=2))
        return
    console.print(f"[bold]{read.id}[/] {read.name or ''}  {read.smiles}  {read.inchikey}")
    d = read.descriptors
    console.print(
        f"MW {d['mw']:.2f} g/mol  TPSA {d['tpsa']:.1f} Å²  cLogP {d['clogp']:.2f}  "
        f"HBD {d['hbd']}  HBA {d['hba']}  RB {d['rotatable_bonds']}  HA {d['heavy_atoms']}  "
        f"QED {d['qed']:.2f}"
    )
    s = read.score
    console.print(
        f"score {_number(s.total, 1) or '-'} ({s.classification}) = 100 × ({s.w_potency:g} × "
        f"potency {_number(s.potency, 3) or '-'} + {s.w_efficiency:g} × efficiency "
        f"{_number(s.efficiency, 3) or '-'} + {s.w_quality:g} × quality {s.quality:.3f}) / "
        f"{s.w_potency + s.w_efficiency + s.w_quality:g}"
    )
    for note in [*s.property_violations, *s.notes]:
        console.print(f"  {note}")
    if read.indices:
        console.print(
            "  ".join(f"{k.upper()} {v:.3f}" for k, v in read.indices.items() if v is not None)
        )
    for a in read.alerts:
        colour = "red" if a.is_pains else "yellow"
        console.print(f"[{colour}]{a.catalog} {a.family}[/] atoms {a.atoms}")
    table = Table(title=f"{len(read.activities)} activit(y/ies)")
    for col in ("target", "type", "relation", "value", "unit", "pActivity", "assay", "primary"):
        table.add_column(col, overflow="fold")
    for act in read.activities:
        table.add_row(
            act.target or "",
            act.standard_type or "",
            act.relation,
            f"{act.value:g}",
            act.unit,
            f"{act.p_relation if act.p_relation != '=' else ''}{act.p_activity:.2f}",
            act.assay_id or "",
            "yes" if act.id == read.primary_activity_id else "",
        )
    console.print(table)


@app.command("import-activities")
@handle_errors
def import_activities(
    file: Annotated[Path, typer.Argument(help="ChEMBL activity export, CSV or TSV.")],
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a ChEMBL activity table: good rows stored, bad rows listed (exit 1 when no
    row could be stored)."""
    from matdiscover.domains.molecules import importing, service

    with _local(data_dir) as local:
        limit = local.settings.max_file_bytes
        if file.stat().st_size > limit:
            raise InputTooLarge(f"the file exceeds the limit of {limit // (1024 * 1024)} MB")
        done = importing.import_file(
            local.session,
            local.caller,
            file.read_bytes(),
            file.name,
            activities=True,
            max_bytes=limit,
            score=service.score_settings(local.settings),
        )
        if done.rejected:
            local.session.rollback()
    issues = [
        {"row": i.row, "kind": i.kind, "message": i.message, "severity": i.severity}
        for i in done.issues
    ]
    stored = done.result.stored
    if as_json:
        import json

        body = {
            "stored": len(stored),
            "created": done.result.created,
            "activities_added": sum(1 for o in stored if o.activity_added),
            "issues": issues,
        }
        typer.echo(json.dumps(body, indent=2))
    else:
        console.print(
            f"{len(stored)} row(s) stored: {done.result.created} new molecule(s), "
            f"{sum(1 for o in stored if o.activity_added)} new activit(y/ies)"
        )
        for i in done.issues:
            colour = "red" if i.severity == "error" else "yellow"
            console.print(f"[{colour}]row {i.row}[/] {i.kind}: {i.message}")
    if done.rejected:
        console.print("[red]no row could be stored; nothing was stored[/]")
        raise typer.Exit(1)


@app.command("search")
@handle_errors
def search_molecules(
    smarts: Annotated[str | None, typer.Option(help="Substructure (SMARTS).")] = None,
    similar_to: Annotated[str | None, typer.Option(help="Similar to this SMILES.")] = None,
    k: Annotated[int, typer.Option(min=1, max=200, help="Hits per scope.")] = 20,
    min_similarity: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.0,
    scope: Annotated[
        Literal["org", "seed", "all"], typer.Option(help="Your molecules, the seed set, or both.")
    ] = "org",
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Substructure or similarity (ECFP4 Tanimoto) search."""
    from matdiscover.domains.molecules.views import search_result

    with _local(data_dir) as local:
        result = search_result(
            local.session,
            organization_id=local.caller.organization_id,
            smarts=smarts,
            similar_to=similar_to,
            k=k,
            min_similarity=min_similarity,
            scope=scope,
        )
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    table = Table(title=f"{result.mode} search ({result.scanned} examined)")
    for col in ("where", "id", "name", "SMILES", "similarity", "score"):
        table.add_column(col, overflow="fold")
    for hit in result.molecules:
        m = hit.molecule
        table.add_row(
            "yours",
            str(m.id),
            m.name or "",
            m.smiles,
            _number(hit.similarity, 3),
            _number(m.score_total, 1),
        )
    for s in result.seed:
        best = max((a.p_activity for a in s.activities), default=None)
        table.add_row(
            "seed", "", f"best pActivity {_number(best)}", s.smiles, _number(s.similarity, 3), ""
        )
    console.print(table)
    if result.truncated:
        console.print("[yellow]stopped at the hit limit or the time budget[/]")


@app.command("export")
@handle_errors
def export_molecules(
    file: Annotated[Path, typer.Argument(help="Output file (.csv, .json or .sdf).")],
    format: Annotated[
        Literal["csv", "json", "sdf"] | None, typer.Option(help="Default: from the suffix.")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write all your molecules, best score first (the same bytes as GET
    /api/v1/molecules/export)."""
    from matdiscover.domains.molecules import export, search

    fmt = format or file.suffix.lower().lstrip(".")
    writers = {"csv": export.to_csv, "json": export.to_json, "sdf": export.to_sdf}
    if fmt not in writers:
        raise InvalidInput(f"unknown export format {fmt!r}; use csv, json or sdf")
    with _local(data_dir) as local:
        rows, _, _ = search.list_molecules(
            local.session, organization_id=local.caller.organization_id, limit=export.MAX_EXPORT
        )
        file.write_bytes(writers[fmt](rows))
    console.print(f"wrote {len(rows)} molecule(s) to {file}")


app.command("batch")(molecules_batch)  # on the job queue, through the server (--server)
