"""Platform settings, read from ``MATDISCOVER_*`` environment variables.

The scientific core never reads these; the platform passes values down as
arguments. Use :func:`get_settings` (cached) rather than building ``Settings``
at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from matdiscover.science.structures.limits import ParseLimits


class Settings(BaseSettings):
    """All configuration of a MatDiscover installation.

    Every field maps to an environment variable with the ``MATDISCOVER_`` prefix,
    e.g. ``MATDISCOVER_DATA_DIR``.
    """

    model_config = SettingsConfigDict(env_prefix="MATDISCOVER_", extra="ignore")

    data_dir: Path = Field(
        default=Path(".matdiscover"),
        description="Where the embedded database, uploads and results live.",
    )
    database_url: str | None = Field(
        default=None,
        description="External PostgreSQL (with pgvector and pg_trgm). Unset: embedded database.",
    )
    storage_url: str | None = Field(
        default=None,
        description="fsspec URL for object storage (s3://bucket/prefix). Unset: DATA_DIR/storage.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=0, le=64, description="Worker processes started by serve.")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    load_reference: Literal["auto", "never"] = Field(
        default="auto",
        description="auto: serve loads the bundled reference database on first start.",
    )
    auto_predict: bool = Field(
        default=True,
        description="Queue a prediction of all properties for every uploaded structure.",
    )

    # Input limits
    max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    max_files_per_upload: int = Field(default=1000, ge=1)
    max_sites: int = Field(default=5000, ge=1)
    max_batch_rows: int = Field(default=1_000_000, ge=1, description="Rows per batch job.")
    parse_timeout_s: float = Field(default=30.0, gt=0)
    symprec: float = Field(default=0.1, gt=0, le=1.0, description="Symmetry tolerance, Å.")
    min_distance: float = Field(default=0.5, ge=0, description="Closest allowed atom pair, Å.")

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    def parse_limits(self) -> ParseLimits:
        """The input limits as the science core's :class:`ParseLimits`."""
        from matdiscover.science.structures.limits import ParseLimits

        return ParseLimits(
            max_bytes=self.max_file_bytes,
            max_sites=self.max_sites,
            timeout_s=self.parse_timeout_s,
            min_distance=self.min_distance,
            max_archive_members=self.max_files_per_upload,
            max_archive_bytes=self.max_upload_bytes,
        )

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or str(self.resolved_data_dir / "storage")

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; call ``get_settings.cache_clear()`` in tests)."""
    return Settings()
