"""Platform settings, read from ``MATDISCOVER_*`` environment variables.

The scientific core never reads these; the platform passes values down as
arguments. Use :func:`get_settings` (cached) rather than building ``Settings``
at import time.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, field_validator
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
    structure_model: Literal["chgnet", "7net-0", "7net-l3i5"] = Field(
        default="7net-0",
        description="Default structure model (formation energy, energy above hull): chgnet "
        "(fast), 7net-0 (SevenNet-0) or 7net-l3i5 (accurate); requests may choose another.",
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

    # Molecules: O[Q/P/L]A score weights and class thresholds (see
    # matdiscover.science.chemistry.score; the total is a weighted mean of 0-1 components)
    molecule_score_w_potency: float = Field(default=0.40, ge=0, le=100)
    molecule_score_w_efficiency: float = Field(default=0.35, ge=0, le=100)
    molecule_score_w_quality: float = Field(default=0.25, ge=0, le=100)
    molecule_score_strong: float = Field(
        default=70.0,
        ge=0,
        le=100,
        description="Score total (0-100) from which a molecule is Strong.",
    )
    molecule_score_moderate: float = Field(
        default=50.0, ge=0, le=100, description="Score total from which a molecule is Moderate."
    )

    # Authentication and hardening
    auth: Literal["local", "required"] = Field(
        default="local",
        description="local: one implicit user, loopback clients only. required: every data "
        "request is authenticated (forced whenever HOST is not a loopback address).",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs access tokens; required (≥ 32 characters) when authentication is on.",
    )
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    invitation_days: int = Field(
        default=7, ge=1, le=90, description="Days an invitation to an organisation stays valid."
    )
    cors_origins: str = Field(
        default="",
        description="Comma-separated origins allowed to call the API from a browser (CORS).",
    )
    allowed_hosts: str = Field(
        default="",
        description="Comma-separated extra names the server may be reached by (the Host "
        "header; any port; '*.example.org' for subdomains, '*' for any). Local mode always "
        "allows localhost, *.localhost, loopback addresses and HOST, and refuses other names "
        "(DNS rebinding); server mode checks the Host only when this is set.",
    )
    api_docs: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Serve /docs, /redoc and /api/v1/openapi.json. auto: on in local mode, "
        "off in server mode.",
    )
    login_attempts_per_minute_ip: int = Field(default=30, ge=1)
    login_failures_per_minute_account: int = Field(default=10, ge=1)
    login_lockout_window_s: int = Field(
        default=60,
        ge=1,
        le=3600,
        description="Window in seconds over which failed logins (and wrong current passwords) "
        "per account are counted; an account is locked while this and the previous window "
        "hold LOGIN_FAILURES_PER_MINUTE_ACCOUNT failures.",
    )
    writes_per_minute: int = Field(
        default=600, ge=1, description="Write requests per minute per user or API key."
    )
    writes_per_minute_ip: int = Field(default=1200, ge=1)
    default_plan: Literal["free_academic", "researcher", "lab"] = Field(
        default="lab", description="Plan of organisations created without an explicit plan."
    )
    plan_limits: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description='JSON overrides of plan limits, e.g. {"free_academic": '
        '{"predictions_per_month": 2000}}.',
    )
    # OPTIMADE client: nothing is fetched unless a user starts an import
    optimade_providers: list[str] = Field(
        default_factory=list,
        description="Known OPTIMADE provider base URLs (JSON list), offered by the UI; on a "
        "server with accounts imports may only use these. Empty by default.",
    )
    optimade_timeout_s: float = Field(default=30.0, gt=0, description="Per provider request.")
    optimade_max_retries: int = Field(
        default=4, ge=0, le=10, description="Waits on 429/5xx before an import fails."
    )
    optimade_backoff_s: float = Field(
        default=1.0, ge=0, description="First backoff without Retry-After (doubles)."
    )
    # Prometheus metrics
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token for GET /metrics on the API in server mode (without it the "
        "endpoint is off there); local mode serves /metrics to loopback clients openly.",
    )
    worker_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port of a worker's own /metrics (9101 in the containers). Unset: off.",
    )
    worker_metrics_host: str = Field(
        default="127.0.0.1",
        description="Bind address of a worker's /metrics (0.0.0.0 in the containers).",
    )

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
    def auth_required(self) -> bool:
        """Authentication is on when asked for, and always when serving beyond loopback."""
        return self.auth == "required" or not is_loopback_host(self.host)

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def allowed_host_list(self) -> list[str]:
        return [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]

    @property
    def api_docs_enabled(self) -> bool:
        if self.api_docs == "auto":
            return not self.auth_required
        return self.api_docs == "on"

    def check_security(self) -> None:
        """Refuse to run with authentication on but no strong signing secret."""
        from matdiscover.errors import ConfigurationError

        if not self.auth_required:
            return
        secret = self.secret_key.get_secret_value() if self.secret_key else ""
        weak = secret.lower() in WEAK_SECRETS or "change" in secret.lower()
        if len(secret) < MIN_SECRET_LENGTH or weak or len(set(secret)) < 10:
            raise ConfigurationError(
                "authentication is on (MATDISCOVER_AUTH=required or a non-loopback host) but "
                f"MATDISCOVER_SECRET_KEY is missing, shorter than {MIN_SECRET_LENGTH} characters "
                "or a placeholder; generate one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None


MIN_SECRET_LENGTH = 32
# placeholders seen in example configs; also refused: anything containing "change"
WEAK_SECRETS = frozenset({"secret" * 6, "supersecret" * 3, "your-secret-key" * 3})


def is_loopback_host(host: str) -> bool:
    """Is this bind address reachable only from this machine?"""
    if host in {"localhost", ""}:
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; call ``get_settings.cache_clear()`` in tests)."""
    return Settings()


def settings_for(data_dir: Path | None) -> Settings:
    """The process-wide settings, with ``data_dir`` as data directory when given (the
    commands' ``--data-dir``)."""
    settings = get_settings()
    return settings.model_copy(update={"data_dir": data_dir}) if data_dir is not None else settings
