"""Authentication domain: owns passwords, access and refresh tokens, API keys and rate
limits (``refresh_tokens``, ``api_keys``, ``rate_limit_windows``), and turns credentials
into a :class:`~matdiscover.domains.identity.Caller`. Uses ``organizations`` (users and
memberships) and ``audit`` (login events)."""
