"""Errors of the chemistry core; all are :class:`matdiscover.errors.InvalidInput`.

Each class's docstring is its default message.
"""

from __future__ import annotations

from matdiscover.errors import InvalidInput

__all__ = ["InvalidActivity", "InvalidMolecule", "InvalidMoleculeFile", "InvalidSmarts"]


class InvalidMoleculeFile(InvalidInput):
    """The file is not a readable molecule file (SMILES list, CSV/TSV, SDF or MOL)."""


class InvalidMolecule(InvalidInput):
    """The molecule is not valid."""


class InvalidSmarts(InvalidInput):
    """The SMARTS pattern is not valid."""


class InvalidActivity(InvalidInput):
    """The activity value or unit cannot be converted to pActivity."""
