"""API schemas of OPTIMADE imports (the OPTIMADE documents themselves are the optimade
package's models, see :mod:`.responses`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class OptimadeImportRequest(BaseModel):
    provider: str = Field(
        max_length=500,
        description="The provider's OPTIMADE base URL, e.g. https://optimade.example.org "
        "(with or without /v1)",
    )
    filter: str = Field(
        default="",
        max_length=10_000,
        description='OPTIMADE filter, e.g. elements HAS ALL "Si","O" AND nelements=2',
    )
    limit: int | None = Field(
        default=None, ge=1, le=100_000, description="Import at most this many entries"
    )
    page_limit: int = Field(default=50, ge=1, le=100, description="Entries per provider page")


class OptimadeProviders(BaseModel):
    providers: list[str] = Field(
        description="Known provider base URLs (MATDISCOVER_OPTIMADE_PROVIDERS); empty by default"
    )
    any_provider: bool = Field(
        description="Whether imports may use any URL (local mode) or only the known ones"
    )
