"""The one error root of MatDiscover and its domain errors.

Services and the scientific core raise these; ``matdiscover.api`` maps them to
HTTP responses in one place. Each class's docstring is its default message.
"""

from __future__ import annotations


class MatDiscoverError(Exception):
    """MatDiscover failed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidInput(MatDiscoverError):
    """The input is not valid."""


class InvalidStructure(InvalidInput):
    """The file does not contain a valid crystal structure."""


class InvalidComposition(InvalidInput):
    """The composition is not valid."""


class InputTooLarge(InvalidInput):
    """The input exceeds a configured size limit."""


class ParseTimeout(InvalidInput):
    """Parsing took longer than the configured time limit."""


class NotFound(MatDiscoverError):
    """The requested object does not exist."""


class Conflict(MatDiscoverError):
    """The request conflicts with the current state."""


class ConfigurationError(MatDiscoverError):
    """MatDiscover is not configured correctly."""


class DatabaseUnavailable(MatDiscoverError):
    """The database is not reachable or lacks a required extension."""


class Unauthenticated(MatDiscoverError):
    """Authentication is required: send 'Authorization: Bearer <access token or API key>'."""


class Forbidden(MatDiscoverError):
    """Your role in this organisation does not allow this action."""


class QuotaExceeded(MatDiscoverError):
    """Your organisation's plan quota is used up."""


class RateLimited(MatDiscoverError):
    """Too many requests; retry later."""

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
