"""Errors of the ranking core, all under the project's one root (``MatDiscoverError``).

``RankingInputError`` and its subclasses are also ``ValueError`` so plain numpy callers can
catch them the usual way; the API maps every ``InvalidInput`` to a 4xx response.
"""

from __future__ import annotations

from matdiscover.errors import InvalidInput


class RankingInputError(InvalidInput, ValueError):
    """The predictions given to the ranking are not valid (empty, misshaped, NaN, sigma < 0)."""


class InvalidTargetWindow(RankingInputError):
    """The target window is not valid: its lower bound is above its upper bound."""


class AcquisitionError(InvalidInput):
    """No candidate is left to rank: the constraints exclude every candidate."""
