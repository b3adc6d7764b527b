"""HTTP endpoints of molecules: ``/molecules``, uploads, ChEMBL activity imports, search,
export, depiction and neighbours. Viewers read, researchers and administrators write;
another organisation's molecule is a 404. Writes are audited by the request session."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from rdkit import Chem
from sqlalchemy.orm import Session

from matdiscover.api.deps import CallerDep, SessionDep, SettingsDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.identity import Caller
from matdiscover.domains.molecules import export, importing, search, service
from matdiscover.domains.molecules.schemas import (
    ActivityIn,
    Classification,
    MoleculeCreate,
    MoleculePage,
    MoleculeRead,
    MoleculeSort,
    Neighbours,
    RowIssueRead,
    SearchResult,
    UploadRejected,
    UploadResult,
    UploadRowRead,
)
from matdiscover.domains.molecules.views import (
    hits_read,
    search_result,
    seed_read,
    summary,
    to_read,
)
from matdiscover.domains.usage import service as usage
from matdiscover.reports import MAX_MOLECULES
from matdiscover.science.chemistry import (
    Activity,
    InvalidActivity,
    InvalidMolecule,
    InvalidSmarts,
    MoleculeRow,
    depict_svg,
    p_activity,
    parse_smiles,
)
from matdiscover.settings import Settings
from matdiscover.uploads import read_bounded

router = APIRouter(prefix="/molecules", tags=["molecules"])

SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


def _unprocessable(message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=422)


def _activity(body: ActivityIn) -> Activity:
    return Activity(
        value=body.value,
        unit=body.unit,
        type=body.type,
        relation=body.relation,
        target=body.target,
    )


def _charge(session: Session, caller: Caller, settings: Settings, created: int) -> None:
    usage.charge_predictions(
        session,
        caller.organization_id,
        created,
        settings.plan_limits,
        user_id=caller.user_id,
        what="molecule profile",
    )


# ------------------------------------------------------------------------ collection


@router.get("", response_model=MoleculePage, responses=error_responses(400))
def list_molecules(
    session: SessionDep,
    caller: CallerDep,
    sort: MoleculeSort = "score",
    order: Annotated[
        Literal["asc", "desc"] | None,
        Query(description="Default: descending for score, QED and created, else ascending"),
    ] = None,
    classification: Classification | None = None,
    has_pains: bool | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Substring of the name or SMILES")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> MoleculePage:
    """Your organisation's molecules, best O[Q/P/L]A score first by default (unscored
    molecules last), filtered by class, PAINS alerts and a name/SMILES substring."""
    rows, total, used = search.list_molecules(
        session,
        organization_id=caller.organization_id,
        sort=sort,
        order=order,
        classification=classification,
        has_pains=has_pains,
        q=q,
        limit=limit,
        offset=offset,
    )
    return MoleculePage(
        items=[summary(m) for m in rows],
        total=total,
        limit=limit,
        offset=offset,
        sort=sort,
        order=used,
    )


@router.post(
    "",
    status_code=201,
    response_model=MoleculeRead,
    responses={**error_responses(400, 402, 422), 200: {"model": MoleculeRead}},
)
def create_molecule(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    body: MoleculeCreate,
    response: Response,
) -> MoleculeRead | JSONResponse:
    """Add one molecule (SMILES, optional name and activity): standardised, profiled
    (descriptors, alerts, indices, score) and stored. A molecule your organisation already
    holds (same standard InChIKey) is returned with 200 and ``created: false``: a missing
    name is filled in and the activity is added to it. 422 for an invalid SMILES."""
    try:
        mol = parse_smiles(body.smiles)
        if body.activity is not None:
            p_activity(_activity(body.activity))  # before anything is stored
    except (InvalidMolecule, InvalidActivity) as exc:
        return _unprocessable(exc.message)
    row = MoleculeRow(
        row=1,
        mol=mol,
        smiles=body.smiles,
        name=body.name,
        activity=_activity(body.activity) if body.activity else None,
    )
    meta = service.ActivityMeta(
        assay_id=body.activity.assay_id if body.activity else None,
        document_id=body.activity.document_id if body.activity else None,
    )
    result = service.add_molecules(
        session,
        caller,
        [row],
        source="api",
        meta=[meta],
        score=service.score_settings(settings),
    )
    outcome = result.outcomes[0]
    if outcome.molecule_id is None:
        return _unprocessable(outcome.error or "the molecule could not be standardised")
    _charge(session, caller, settings, result.created)
    molecule = service.get(session, outcome.molecule_id, organization_id=caller.organization_id)
    if not outcome.created:
        response.status_code = 200
    return to_read(session, molecule, created=outcome.created)


def _import(
    session: Session,
    caller: Caller,
    settings: Settings,
    file: UploadFile,
    *,
    activities: bool,
) -> UploadResult | JSONResponse:
    limit = settings.max_file_bytes
    data = read_bounded(file.file, limit)
    done = importing.import_file(
        session,
        caller,
        data,
        file.filename or "molecules.csv",
        activities=activities,
        max_bytes=limit,
        score=service.score_settings(settings),
    )
    issues = [RowIssueRead(**i.__dict__) for i in done.issues]
    if done.rejected:
        bad = len({i.row for i in done.issues if i.severity == "error"})
        body = UploadRejected(
            detail=f"no row could be stored ({bad} bad row(s)); nothing was stored",
            issues=issues,
        )
        return JSONResponse(body.model_dump(), status_code=422)
    _charge(session, caller, settings, done.result.created)
    stored = done.result.stored
    return UploadResult(
        format=done.format,
        encoding=done.encoding,
        stored=len(stored),
        created=done.result.created,
        activities_added=sum(1 for o in stored if o.activity_added),
        rows=[
            UploadRowRead(
                row=o.row,
                molecule_id=o.molecule_id or 0,
                created=o.created,
                activity_added=o.activity_added,
            )
            for o in stored
        ],
        issues=issues,
    )


_UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    **error_responses(400, 402, 413),
    422: {"model": UploadRejected, "description": "Every row was bad; nothing was stored"},
}


@router.post("/upload", status_code=201, response_model=UploadResult, responses=_UPLOAD_RESPONSES)
def upload_molecules(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="SMILES list, CSV/TSV, SDF or MOL (≤ 10 MB)")],
) -> UploadResult | JSONResponse:
    """Add every molecule of a file. Good rows are stored (activity columns such as
    ``standard_value``/``standard_units``/``standard_type`` are stored as activities);
    bad rows are listed with their row number and reason (warnings too: encoding,
    formula-like names, duplicates). A file whose rows are all bad is a 422 and stores
    nothing; an unreadable file (empty, binary, no SMILES column) a 400; above 10 MB a 413."""
    return _import(session, caller, settings, file, activities=False)


@router.post(
    "/activities/import",
    status_code=201,
    response_model=UploadResult,
    responses=_UPLOAD_RESPONSES,
)
def import_activities(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="ChEMBL activity export, CSV or TSV")],
) -> UploadResult | JSONResponse:
    """Import a ChEMBL activity export (``Smiles``, ``Molecule ChEMBL ID``, ``Standard
    Type/Relation/Value/Units``, ``Target/Assay/Document ChEMBL ID``): values are
    normalised to pActivity, molecules created or matched by InChIKey, the same activity
    row imported twice is stored once. Rows without a usable activity are errors."""
    return _import(session, caller, settings, file, activities=True)


@router.get("/search", response_model=SearchResult, responses=error_responses(400, 422))
def search_molecules(
    session: SessionDep,
    caller: CallerDep,
    smarts: Annotated[str | None, Query(max_length=500, description="Substructure")] = None,
    similar_to: Annotated[str | None, Query(max_length=2000, description="SMILES")] = None,
    k: Annotated[int, Query(ge=1, le=200)] = 20,
    min_similarity: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    scope: Literal["org", "seed", "all"] = "org",
) -> SearchResult | JSONResponse:
    """Substructure (``smarts``) or similarity (``similar_to``, ECFP4 Tanimoto, top ``k``)
    search over your organisation's molecules (``scope=org``), the seed set of ChEMBL
    compounds (``seed``) or both (``all``). Substructure search returns at most ``k``
    hits per scope and stops after 5 s per scope (``truncated``). 422 for an invalid
    SMARTS or SMILES, or neither/both given."""
    if (smarts is None) == (similar_to is None):
        return _unprocessable("give exactly one of smarts and similar_to")
    try:
        return search_result(
            session,
            organization_id=caller.organization_id,
            smarts=smarts,
            similar_to=similar_to,
            k=k,
            min_similarity=min_similarity,
            scope=scope,
        )
    except (InvalidSmarts, InvalidMolecule) as exc:
        return _unprocessable(exc.message)


_EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "sdf": "chemical/x-mdl-sdfile",
    "pdf": "application/pdf",
}
_EXPORT_CONTENT: dict[str, dict[str, Any]] = {
    media.split(";")[0]: {} for media in _EXPORT_TYPES.values()
}


@router.get(
    "/export",
    response_class=Response,
    responses={**error_responses(400, 413), 200: {"content": _EXPORT_CONTENT}},
)
def export_molecules(
    session: SessionDep,
    caller: CallerDep,
    format: Literal["csv", "json", "sdf", "pdf"] = "csv",
) -> Response:
    """All your organisation's molecules, best score first, as CSV (formula-like text
    cells prefixed with ``'``), JSON, SDF (standardised structures with every column as
    an SD tag) or a PDF report (the best 500 by score: a ranked summary page, then one
    page per molecule; 400 without molecules). Columns are documented in the README."""
    limit = MAX_MOLECULES if format == "pdf" else export.MAX_EXPORT
    rows, _, _ = search.list_molecules(session, organization_id=caller.organization_id, limit=limit)
    if format == "pdf":
        data = export.to_pdf(session, rows, title="Molecules")
    else:
        data = {"csv": export.to_csv, "json": export.to_json, "sdf": export.to_sdf}[format](rows)
    return Response(
        data,
        media_type=_EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="molecules.{format}"'},
    )


# ------------------------------------------------------------------------ one molecule


@router.get("/{molecule_id}", response_model=MoleculeRead, responses=error_responses(400, 404))
def get_molecule(session: SessionDep, caller: CallerDep, molecule_id: int) -> MoleculeRead:
    """Descriptors, alerts with their atoms, every score component with its weight (the
    total is reproducible from them), the activities and the efficiency indices of the
    primary (most potent exact) activity."""
    m = service.get(session, molecule_id, organization_id=caller.organization_id)
    return to_read(session, m)


@router.get(
    "/{molecule_id}/depiction.svg",
    response_class=Response,
    responses={**error_responses(400, 404), 200: {"content": {"image/svg+xml": {}}}},
)
def get_depiction(session: SessionDep, caller: CallerDep, molecule_id: int) -> Response:
    """2D depiction (SVG, no scripts) with alert atoms highlighted: PAINS red, Brenk/NIH
    amber."""
    m = service.get(session, molecule_id, organization_id=caller.organization_id)
    mol = Chem.MolFromSmiles(m.smiles)
    svg = depict_svg(mol, alerts=service.alerts_of(m))
    return Response(svg, media_type="image/svg+xml", headers=SVG_HEADERS)


@router.get(
    "/{molecule_id}/report.pdf",
    response_class=Response,
    responses={**error_responses(400, 404), 200: {"content": {"application/pdf": {}}}},
)
def get_report(session: SessionDep, caller: CallerDep, molecule_id: int) -> Response:
    """The molecule's PDF report: depiction with alerts highlighted, descriptors, alerts,
    score components with weights and formula, efficiency indices, activities."""
    m = service.get(session, molecule_id, organization_id=caller.organization_id)
    data = export.to_pdf(session, [m], title=m.name or m.inchikey)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="molecule-{m.id}.pdf"'},
    )


@router.get(
    "/{molecule_id}/structure.sdf",
    response_class=Response,
    responses={**error_responses(400, 404), 200: {"content": {"chemical/x-mdl-sdfile": {}}}},
)
def get_structure_sdf(session: SessionDep, caller: CallerDep, molecule_id: int) -> Response:
    """The standardised molecule as a one-record SDF (2D coordinates) with the export's
    columns as SD tags."""
    m = service.get(session, molecule_id, organization_id=caller.organization_id)
    return Response(
        export.to_sdf([m]),
        media_type=_EXPORT_TYPES["sdf"],
        headers={"Content-Disposition": f'attachment; filename="molecule-{m.id}.sdf"'},
    )


@router.get(
    "/{molecule_id}/neighbours", response_model=Neighbours, responses=error_responses(400, 404)
)
def get_neighbours(
    session: SessionDep,
    caller: CallerDep,
    molecule_id: int,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    min_similarity: Annotated[float, Query(ge=0.0, le=1.0)] = 0.3,
) -> Neighbours:
    """The ``k`` nearest seed (ChEMBL) compounds with their activities and the ``k``
    nearest of your other molecules, by ECFP4 Tanimoto similarity."""
    m = service.get(session, molecule_id, organization_id=caller.organization_id)
    mol = Chem.MolFromSmiles(m.smiles)
    hits, _ = search.similar_molecules(
        session,
        mol,
        organization_id=caller.organization_id,
        k=k,
        min_similarity=min_similarity,
        exclude_id=m.id,
    )
    seed = search.similar_seed(mol, k=k, min_similarity=min_similarity)
    return Neighbours(
        seed=[seed_read(s) for s in seed],
        molecules=hits_read(session, caller.organization_id, hits),
    )


@router.post(
    "/{molecule_id}/activities",
    status_code=201,
    response_model=MoleculeRead,
    responses=error_responses(400, 404, 422),
)
def add_activity(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    molecule_id: int,
    body: ActivityIn,
) -> MoleculeRead | JSONResponse:
    """Add a measured activity; the molecule is re-scored (its primary activity is the
    most potent exact one). The same activity twice is stored once. 422 when the value
    and unit cannot be converted to pActivity."""
    m = service.get(session, molecule_id, organization_id=caller.organization_id)
    try:
        service.add_activity(
            session,
            m,
            _activity(body),
            user_id=caller.user_id,
            meta=service.ActivityMeta(assay_id=body.assay_id, document_id=body.document_id),
        )
    except InvalidActivity as exc:
        return _unprocessable(exc.message)
    service.rescore(m, service.activities_of(session, m), service.score_settings(settings))
    session.flush()
    return to_read(session, m)


@router.delete(
    "/{molecule_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(400, 404),
)
def delete_molecule(session: SessionDep, caller: CallerDep, molecule_id: int) -> Response:
    """Delete a molecule and its activities (researchers and administrators)."""
    service.delete(session, molecule_id, organization_id=caller.organization_id)
    return Response(status_code=204)
