"""Shared types and helpers of the format readers."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pymatgen.core import Structure
from pymatgen.electronic_structure.core import Magmom

from matdiscover.errors import MatDiscoverError

_NOISE = (
    "The default value of primitive was changed",
    "Issues encountered while parsing CIF",
    "is deprecated",
)


@dataclass
class RawBlock:
    """One structure (or one failure) read from a file, before validation.

    Attributes:
        name: CIF block name or XYZ/JSON frame index; ``None`` for single-structure files.
        structure: The parsed structure, or ``None`` if ``error`` is set.
        error: Why this block could not be read.
        warnings: Parser warnings for this block.
    """

    name: str | None
    structure: Structure | None = None
    error: MatDiscoverError | None = None
    warnings: list[str] = field(default_factory=list)


def to_plain(value: Any) -> Any:
    """Convert numpy values and pymatgen ``Magmom`` objects to plain JSON-able Python.

    Magnetic moments become ``[mx, my, mz]`` in μB (Cartesian, global frame).
    """
    if isinstance(value, Magmom):
        return [float(x) for x in value.global_moment]
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def make_json_safe(structure: Structure) -> list[str]:
    """Make site properties and ``structure.properties`` JSON-serialisable, in place.

    Values that still cannot be serialised are dropped; returns a warning for each.
    """
    warnings: list[str] = []
    for key, values in list(structure.site_properties.items()):
        plain = [to_plain(v) for v in values]
        try:
            json.dumps(plain)
        except (TypeError, ValueError):
            structure.remove_site_property(key)
            warnings.append(f"Dropped site property '{key}': not representable as JSON.")
            continue
        structure.add_site_property(key, plain)
    for key, value in list(structure.properties.items()):
        plain = to_plain(value)
        try:
            json.dumps(plain)
        except (TypeError, ValueError):
            del structure.properties[key]
            warnings.append(f"Dropped structure property '{key}': not representable as JSON.")
            continue
        structure.properties[key] = plain
    return warnings


@contextmanager
def captured_warnings(sink: list[str]) -> Iterator[None]:
    """Collect the messages of Python warnings raised inside the block into ``sink``.

    Note: ``warnings.catch_warnings`` changes process-global state; concurrent parses
    in threads may see each other's warnings. ``read_structures_isolated`` avoids that.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for item in caught:
                text = str(item.message).strip()
                if text and not any(noise in text for noise in _NOISE) and text not in sink:
                    sink.append(text)
