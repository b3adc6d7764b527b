"""The FastAPI application factory."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from matdiscover import __version__
from matdiscover.api.deps import authorize
from matdiscover.api.docs import mount_api_docs
from matdiscover.api.errors import install_error_handlers
from matdiscover.api.frontend import mount_frontend
from matdiscover.api.headers import SecurityHeadersMiddleware
from matdiscover.api.limits import MaxBodySizeMiddleware
from matdiscover.api.origin_guard import OriginGuardMiddleware
from matdiscover.api.responses import error_responses
from matdiscover.api.routes import health
from matdiscover.api.routes import usage as usage_routes
from matdiscover.api.text_guard import TextGuardMiddleware, reject_unstorable_form
from matdiscover.db.engine import (
    check_database,
    create_db_engine,
    make_session_factory,
    session_scope,
)
from matdiscover.db.migrate import current_revision, head_revision
from matdiscover.domains.audit import router as audit_router
from matdiscover.domains.auth import router as auth_router
from matdiscover.domains.campaigns import router as campaigns_router
from matdiscover.domains.compounds import router as compounds_router
from matdiscover.domains.experiments import router as experiments_router
from matdiscover.domains.invitations import router as invitations_router
from matdiscover.domains.jobs import router as jobs_router
from matdiscover.domains.materials import router as materials_router
from matdiscover.domains.model_registry import router as model_registry_router
from matdiscover.domains.molecules import router as molecules_router
from matdiscover.domains.molecules.batch import router as molecule_batch_router
from matdiscover.domains.optimade import router as optimade_router
from matdiscover.domains.organizations import router as organizations_router
from matdiscover.domains.organizations.service import ensure_local_identity
from matdiscover.domains.predictions import router as predictions_router
from matdiscover.domains.projects import router as projects_router
from matdiscover.domains.search import router as search_router
from matdiscover.domains.similarity import router as similarity_router
from matdiscover.domains.thermo import router as thermo_router
from matdiscover.domains.training import router as training_router
from matdiscover.domains.usage.plans import validate_plan_limits
from matdiscover.domains.visualization import router as visualization_router
from matdiscover.errors import DatabaseUnavailable
from matdiscover.observability.http import api_registry, install_metrics
from matdiscover.settings import Settings, get_settings
from matdiscover.storage import ObjectStore

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


@cache
def api_router() -> APIRouter:
    """Public routes (health, login, token refresh/logout) and everything else behind
    ``authorize``: routers added to ``protected`` are authenticated, role-checked and
    rate-limited by default, and their ``SessionDep`` is tenant-scoped.

    Built once per process: it depends on no setting, ``FastAPI.include_router`` copies
    its routes into each app without changing it, and building ~190 routes costs ~0.5 s
    (paid once by ``serve``, but by every app a test creates)."""
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(health.router)
    router.include_router(auth_router.public_router)
    router.include_router(invitations_router.public_router)
    protected = APIRouter(
        dependencies=[Depends(authorize)], responses=error_responses(401, 403, 429)
    )
    for module in (
        auth_router,
        usage_routes,
        organizations_router,
        invitations_router,
        audit_router,
        materials_router,
        search_router,
        compounds_router,
        predictions_router,
        jobs_router,
        molecule_batch_router,  # POST /molecules/batch, ahead of /molecules/{id} routes
        visualization_router,
        similarity_router,
        thermo_router,
        projects_router,
        experiments_router,
        molecules_router,
        campaigns_router,
        model_registry_router,
        training_router,
    ):
        protected.include_router(module.router)
    protected.include_router(optimade_router.imports_router)  # POST /imports/optimade
    router.include_router(protected)
    return router


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. The database is opened in the lifespan, not at import time.

    With ``MATDISCOVER_DATABASE_URL`` unset the app starts (or attaches to) the
    embedded PostgreSQL in the data directory.
    """
    settings = settings or get_settings()
    settings.check_security()
    validate_plan_limits(settings.plan_limits)  # a typo in the JSON fails now, not per request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        embedded = None
        url = settings.database_url
        if url is None:
            from matdiscover.db.embedded import start_embedded

            embedded = start_embedded(settings.resolved_data_dir)
            url = embedded.url
        engine = create_db_engine(url)
        scrapes = None
        try:
            check_database(engine)
            if current_revision(engine) != head_revision():
                raise DatabaseUnavailable(
                    "the database schema is not up to date: run `matdiscover db upgrade`"
                )
            factory = make_session_factory(engine)
            with session_scope(factory) as session:
                app.state.local_caller = ensure_local_identity(session)
            app.state.engine = engine
            app.state.session_factory = factory
            app.state.settings = settings
            # local mode without a configured secret: tokens signed with a per-process key
            app.state.token_secret = (
                settings.secret_key.get_secret_value()
                if settings.secret_key
                else secrets.token_urlsafe(48)
            )
            app.state.store = ObjectStore(settings.resolved_storage_url)
            app.state.metrics_registry, scrapes = api_registry(engine, settings)
            yield
        finally:
            if scrapes is not None:
                scrapes.dispose()
            engine.dispose()
            if embedded is not None:
                embedded.stop()

    app = FastAPI(
        title="MatDiscover",
        version=__version__,
        description="AI-assisted materials discovery: structures in, predictions out.",
        lifespan=lifespan,
        # /docs and /redoc are served offline by mount_api_docs; app.openapi() always works
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json" if settings.api_docs_enabled else None,
        # form text is checked once parsed; a multipart file count over the limit is a 413
        dependencies=[Depends(reject_unstorable_form)],
        form_limits={"max_files": settings.max_files_per_upload},
    )
    # inside MaxBodySizeMiddleware (added later = outer), so it buffers bounded bodies only
    app.add_middleware(TextGuardMiddleware)
    app.add_middleware(
        MaxBodySizeMiddleware,
        max_bytes=settings.max_upload_bytes + 1024 * 1024,
        # JSON bodies: at most one inline structure file plus the envelope
        max_other_bytes=settings.max_file_bytes + 256 * 1024,
    )
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            max_age=600,
        )
    app.add_middleware(OriginGuardMiddleware.for_settings, settings=settings)
    app.add_middleware(SecurityHeadersMiddleware)
    install_metrics(app, settings)  # outermost middleware; GET /metrics before the UI routes
    install_error_handlers(app)
    app.include_router(api_router())
    app.include_router(optimade_router.router)  # OPTIMADE v1.2 at /optimade
    if app.openapi_url:
        mount_api_docs(app, openapi_url=app.openapi_url)
    mount_frontend(app)
    return app
