"""Errors of candidate generation, under the project's one root (``MatDiscoverError``).

``GenerationInputError`` is an :class:`~matdiscover.errors.InvalidInput` (the API maps it to
a 4xx response) and a ``ValueError`` for plain Python callers.
"""

from __future__ import annotations

from matdiscover.errors import InvalidInput


class GenerationInputError(InvalidInput, ValueError):
    """The request for candidate generation is not valid."""
