"""pymatgen ``Structure.as_dict()`` JSON reader (also lists of them and entry dicts)."""

from __future__ import annotations

import json
from typing import Any

from pymatgen.core import Structure

from matdiscover.errors import InputTooLarge, InvalidStructure
from matdiscover.science.io.base import RawBlock, captured_warnings
from matdiscover.science.structures.limits import ParseLimits

NOT_A_STRUCTURE = (
    "is not a pymatgen Structure (expected an object with 'lattice' and 'sites', as "
    "written by Structure.as_dict())"
)


def _structure_dict(obj: Any) -> dict[str, Any] | None:
    if isinstance(obj, dict):
        if "lattice" in obj and "sites" in obj:
            return obj
        nested = obj.get("structure")
        if isinstance(nested, dict) and "lattice" in nested and "sites" in nested:
            return nested
    return None


def read_json(text: str, limits: ParseLimits) -> list[RawBlock]:
    """Read one structure dict, an entry with a ``structure`` key, or a list of them.

    Raises:
        InvalidStructure: for invalid JSON or JSON that holds no structure.
    """
    try:
        obj = json.loads(text)  # NaN literals are caught by validation
    except (ValueError, RecursionError) as exc:
        raise InvalidStructure(f"invalid JSON ({exc})") from exc
    items = obj if isinstance(obj, list) else [obj]
    if not items:
        raise InvalidStructure("the JSON list is empty")
    blocks: list[RawBlock] = []
    for index, item in enumerate(items):
        block = RawBlock(str(index) if isinstance(obj, list) else None)
        blocks.append(block)
        data = _structure_dict(item)
        if data is None:
            kind = item.get("@class") if isinstance(item, dict) else type(item).__name__
            hint = " (a Molecule has no periodic cell)" if kind == "Molecule" else ""
            block.error = InvalidStructure(f"the JSON {NOT_A_STRUCTURE}{hint}")
            continue
        sites = data.get("sites")
        if isinstance(sites, list) and len(sites) > limits.max_sites:
            block.error = InputTooLarge(
                f"has {len(sites)} sites, more than the limit of {limits.max_sites}"
            )
            continue
        try:
            with captured_warnings(block.warnings):
                block.structure = Structure.from_dict(data)
        except Exception as exc:
            block.error = InvalidStructure(
                f"the JSON {NOT_A_STRUCTURE}: {type(exc).__name__}: {exc}"
            )
    return blocks
