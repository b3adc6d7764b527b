"""Request dependencies, declared once as typed aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from matdiscover.domains.organizations.service import Caller
from matdiscover.settings import Settings
from matdiscover.storage import ObjectStore


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; commits when the endpoint returns (before the response is
    sent, see ``SessionDep``), rolls back on error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> ObjectStore:
    store: ObjectStore = request.app.state.store
    return store


def get_caller(request: Request) -> Caller:
    """The caller's scope. Local mode: the implicit local organisation and user."""
    caller: Caller = request.app.state.local_caller
    return caller


# scope="function": commit before the response leaves, so a client that GETs what it just
# created never races the commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
CallerDep = Annotated[Caller, Depends(get_caller)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
