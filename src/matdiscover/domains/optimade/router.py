"""The OPTIMADE v1.2 API under ``/optimade``: ``versions``, ``v1/info``, ``v1/links``,
``v1/structures``, ``v1/references`` (and their ``info``); unversioned paths redirect to
``v1``, other versions answer 553.

Who sees what follows our auth: in local mode the local organisation's materials and the
shared reference rows; on a server with accounts an anonymous request sees the shared rows
only, and an access token or API key adds its organisation's materials. Errors are
JSON:API error documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.orm import Session

from matdiscover.api.deps import (
    CallerDep,
    SessionDep,
    SettingsDep,
    get_caller,
    scoped_session,
)
from matdiscover.api.responses import error_responses
from matdiscover.db.engine import session_scope
from matdiscover.domains import tasks
from matdiscover.domains.identity import Caller
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.jobs.schemas import JobRead
from matdiscover.domains.optimade import importing, responses, service
from matdiscover.domains.optimade.schemas import OptimadeImportRequest, OptimadeProviders
from matdiscover.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    MatDiscoverError,
    NotFound,
    Unauthenticated,
)
from matdiscover.science.interop.optimade_filter import FilterNotImplemented

PREFIX = "/optimade"
# the OPTIMADE API is specified (and validated) by OPTIMADE itself, not by our OpenAPI
router = APIRouter(prefix=PREFIX, tags=["optimade"], include_in_schema=False)

JSONAPI = "application/vnd.api+json"
_QUERY_PARAMS = frozenset(
    {
        "filter",
        "response_format",
        "email_address",
        "response_fields",
        "sort",
        "page_limit",
        "page_offset",
        "include",
        "api_hint",
    }
)
_STATUS = [
    (FilterNotImplemented, 501),
    (NotFound, 404),
    (InvalidInput, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
]


class _OptimadeError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _representation(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _json(doc: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(doc, status_code=status, media_type=JSONAPI)


def _answer(request: Request, build: Callable[[], dict[str, Any]]) -> Response:
    try:
        return _json(build())
    except _OptimadeError as exc:
        status, detail = exc.status, exc.detail
    except MatDiscoverError as exc:
        status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 500)
        detail = exc.message
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    doc = responses.error_document(status, detail, _representation(request))
    return JSONResponse(doc, status_code=status, media_type=JSONAPI, headers=headers)


def _caller(request: Request) -> Caller | None:
    """The caller, or ``None`` for an anonymous request to a server with accounts."""
    settings = request.app.state.settings
    header = request.headers.get("authorization")
    scheme, credentials = get_authorization_scheme_param(header)
    has_credential = bool(header) or bool(request.headers.get("x-api-key", "").strip())
    if not has_credential and settings.auth_required:
        return None
    from fastapi.security import HTTPAuthorizationCredentials

    bearer = (
        HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)
        if header and scheme.lower() == "bearer"
        else None
    )
    return get_caller(request, bearer)


@contextmanager
def _session(request: Request, caller: Caller | None) -> Iterator[Session]:
    if caller is None:
        with session_scope(request.app.state.session_factory) as session:
            yield session
    else:
        with scoped_session(request, caller) as session:
            yield session


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


def _int_param(request: Request, name: str, default: int, *, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _OptimadeError(400, f"{name} must be a non-negative integer, not {raw!r}") from None
    if value < 0:
        raise _OptimadeError(400, f"{name} must be a non-negative integer, not {raw!r}")
    if maximum is not None and value > maximum:
        raise _OptimadeError(403, f"{name} may be at most {maximum}")
    return value


def _common(request: Request) -> list[str]:
    """Checks every request's standard query parameters; warnings for unknown ones."""
    fmt = request.query_params.get("response_format")
    if fmt not in (None, "", "json"):
        raise _OptimadeError(400, f"response_format {fmt!r} is not supported (only json)")
    return [
        f"query parameter {name!r} is not supported by this server and was ignored"
        for name in request.query_params
        if name not in _QUERY_PARAMS and not name.startswith(f"_{service.PROVIDER_PREFIX}_")
    ]


def _response_fields(request: Request) -> set[str] | None:
    raw = request.query_params.get("response_fields")
    if raw is None:
        return None
    return {f.strip() for f in raw.split(",") if f.strip()}


def _entry_query(request: Request) -> service.EntryQuery:
    return service.EntryQuery(
        filter=request.query_params.get("filter", ""),
        sort=request.query_params.get("sort") or None,
        page_limit=_int_param(
            request, "page_limit", service.DEFAULT_PAGE_LIMIT, maximum=service.MAX_PAGE_LIMIT
        )
        or service.DEFAULT_PAGE_LIMIT,
        page_offset=_int_param(request, "page_offset", 0),
    )


def _next_url(request: Request, query: service.EntryQuery, returned: int) -> str | None:
    following = query.page_offset + query.page_limit
    if following >= returned:
        return None
    params = dict(request.query_params)
    params["page_offset"] = str(following)
    params["page_limit"] = str(query.page_limit)
    return str(request.url.replace(query=urlencode(params)))


# ------------------------------------------------------------------------- routes


@router.get("/versions", response_class=PlainTextResponse)
def versions() -> Response:
    """The major API versions served (CSV, newest first)."""
    return Response("version\n1\n", media_type="text/csv; header=present")


@router.get("/v1/info")
def info(request: Request) -> Response:
    """What this OPTIMADE implementation serves."""

    def build() -> dict[str, Any]:
        _common(request)
        return responses.info_document(_base_url(request), _representation(request))

    return _answer(request, build)


@router.get("/v1/info/{entry_type}")
def entry_info(request: Request, entry_type: str) -> Response:
    """The properties of an entry type (``structures`` or ``references``)."""

    def build() -> dict[str, Any]:
        _common(request)
        if entry_type not in responses.ENTRY_TYPES:
            raise _OptimadeError(404, f"no entry type {entry_type!r}")
        return responses.entry_info_document(entry_type, _representation(request))

    return _answer(request, build)


@router.get("/v1/links")
def links(request: Request) -> Response:
    """Other OPTIMADE databases this one links to (none)."""

    def build() -> dict[str, Any]:
        _common(request)
        return responses.links_document(_representation(request))

    return _answer(request, build)


def _listing(request: Request, kind: str) -> Response:
    def build() -> dict[str, Any]:
        notes = _common(request)
        query = _entry_query(request)
        caller = _caller(request)
        with _session(request, caller) as session:
            if kind == "structures":
                org = caller.organization_id if caller else None
                page = service.query_structures(session, query, organization_id=org)
            else:
                page = service.query_references(session, query)
        page.warnings = notes + page.warnings
        return responses.entries_document(
            kind,
            page,
            representation=_representation(request),
            next_url=_next_url(request, query, page.data_returned),
            response_fields=_response_fields(request),
        )

    return _answer(request, build)


def _single(request: Request, kind: str, entry_id: str) -> Response:
    def build() -> dict[str, Any]:
        _common(request)
        caller = _caller(request)
        if kind == "structures":
            with _session(request, caller) as session:
                org = caller.organization_id if caller else None
                entry = service.get_structure(session, entry_id, organization_id=org)
        else:
            entry = service.get_reference(entry_id)
        if entry is None:
            raise _OptimadeError(404, f"no {kind[:-1]} with id {entry_id!r}")
        return responses.entry_document(
            kind,
            entry,
            representation=_representation(request),
            response_fields=_response_fields(request),
        )

    return _answer(request, build)


@router.get("/v1/structures")
def structures(request: Request) -> Response:
    """Structures matching ``filter`` (OPTIMADE v1.2 filter language), paginated with
    ``page_limit``/``page_offset``, sorted by ``sort``, trimmed to ``response_fields``."""
    return _listing(request, "structures")


@router.get("/v1/structures/{entry_id:path}")
def structure(request: Request, entry_id: str) -> Response:
    """One structure by its OPTIMADE id (``mp-...`` or ``matdiscover-<n>``)."""
    return _single(request, "structures", entry_id)


@router.get("/v1/references")
def references(request: Request) -> Response:
    """The publications our shipped data come from."""
    return _listing(request, "references")


@router.get("/v1/references/{entry_id:path}")
def reference(request: Request, entry_id: str) -> Response:
    return _single(request, "references", entry_id)


@router.get("/v1/{rest:path}", include_in_schema=False)
def unknown_v1(request: Request, rest: str) -> Response:
    def build() -> dict[str, Any]:
        raise _OptimadeError(404, f"no OPTIMADE endpoint {rest!r}")

    return _answer(request, build)


@router.get("", include_in_schema=False)
@router.get("/", include_in_schema=False)
def root(request: Request) -> Response:
    """The unversioned base URL: the latest version's info."""
    return RedirectResponse(f"{PREFIX}/v1/info", status_code=307)


@router.get("/{rest:path}", include_in_schema=False)
def unversioned(request: Request, rest: str) -> Response:
    """``/optimade/<endpoint>`` redirects to ``/optimade/v1/<endpoint>``; another version
    (``/optimade/v2/...``) is 553 Version Not Supported."""
    first = rest.split("/", 1)[0]
    if first.startswith("v") and first[1:].replace(".", "").isdigit():

        def build() -> dict[str, Any]:
            raise _OptimadeError(553, f"version {first!r} is not supported; this server has v1")

        return _answer(request, build)
    query = request.url.query
    return RedirectResponse(f"{PREFIX}/v1/{rest}" + (f"?{query}" if query else ""), 307)


# ------------------------------------------------------------------------- imports (/api/v1)

imports_router = APIRouter(tags=["imports"])


@imports_router.get("/imports/optimade/providers", response_model=OptimadeProviders)
def import_providers(settings: SettingsDep) -> OptimadeProviders:
    """The configured OPTIMADE providers an import can use."""
    return OptimadeProviders(
        providers=list(settings.optimade_providers), any_provider=not settings.auth_required
    )


@imports_router.post(
    "/imports/optimade",
    status_code=202,
    response_model=JobRead,
    responses=error_responses(400, 403, 422, 429),
)
def start_optimade_import(
    body: OptimadeImportRequest, session: SessionDep, caller: CallerDep, settings: SettingsDep
) -> JobRead:
    """Import the structures matching ``filter`` from an OPTIMADE provider into your
    organisation's materials, as a queued job (poll ``GET /api/v1/jobs/{id}``; ``params``
    holds ``imported``, ``skipped`` and per-entry ``errors``). Each becomes a material with
    ``source="import"``, ``source_database`` the provider's prefix and ``source_id`` its id."""
    job = importing.start_import(
        session,
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        provider=body.provider,
        filter_=body.filter,
        limit=body.limit,
        page_limit=body.page_limit,
        settings=settings,
    )
    tasks.defer(session, tasks.OptimadeImport(job_id=job.id))
    return jobs.to_read(session, job)


@imports_router.post(
    "/imports/optimade/{job_id}/resume",
    status_code=202,
    response_model=JobRead,
    responses=error_responses(404, 409, 422),
)
def resume_optimade_import(job_id: int, session: SessionDep, caller: CallerDep) -> JobRead:
    """Queue a failed or interrupted import again: it continues from the last stored page,
    and entries already imported are skipped."""
    job = jobs.get_job(session, job_id, organization_id=caller.organization_id)
    if job.kind != importing.IMPORT_KIND:
        raise NotFound(f"import job {job_id} not found")
    if job.status in (jobs.JobStatus.succeeded, jobs.JobStatus.cancelled):
        raise Conflict(f"import job {job_id} is {job.status.value}")
    job.status = jobs.JobStatus.queued
    job.error = None
    job.finished_at = None
    tasks.defer(session, tasks.OptimadeImport(job_id=job.id))
    return jobs.to_read(session, job)
