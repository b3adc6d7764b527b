"""Visualisation service: build (and cache in-process) the viewer scene of a material."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict
from datetime import datetime

from pymatgen.core import Structure
from sqlalchemy.orm import Session

from matdiscover.domains.materials import service as materials_service
from matdiscover.domains.visualization.schemas import ParityPoint, ParityRead, SceneRead
from matdiscover.errors import NotFound
from matdiscover.science.structures.scene import Bonding, ColourScheme, build_scene

CACHE_SIZE = 64

_Key = tuple[int, datetime | None, tuple[int, int, int], str, str]
_cache: OrderedDict[_Key, SceneRead] = OrderedDict()
_lock = threading.Lock()


def get_scene(
    session: Session,
    material_id: int,
    *,
    organization_id: int,
    supercell: tuple[int, int, int] = (1, 1, 1),
    bonding: Bonding = "crystalnn",
    colour_scheme: ColourScheme = "jmol",
) -> SceneRead:
    """The scene of a visible material; cached by (id, last update, supercell, options)."""
    row = materials_service.get(session, material_id, organization_id=organization_id)
    if row.structure is None:
        raise NotFound(f"material {material_id} has no stored structure (composition only)")
    key: _Key = (row.id, row.updated_at, supercell, bonding, colour_scheme)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    scene = build_scene(
        Structure.from_dict(row.structure),
        supercell=supercell,
        bonding=bonding,
        colour_scheme=colour_scheme,
    )
    read = SceneRead.model_validate({"material_id": row.id, **asdict(scene)})
    with _lock:
        _cache[key] = read
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return read


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def get_parity(name: str, *, max_points: int = 2000) -> ParityRead:
    """The held-out parity sample (``parity.csv`` next to the model card) of model ``name``."""
    import csv
    import math

    from matdiscover.science.models.registry import list_model_cards
    from matdiscover.science.reference_data import data_dir

    card = next((c for c in list_model_cards() if c.get("name") == name), None)
    if card is None:
        raise NotFound(f"model {name!r} not found")
    folder = data_dir() / "models" / "composition" / str(card.get("property", ""))
    path = folder / "parity.csv"
    points: list[ParityPoint] = []
    if not path.is_file():  # a model without a held-out sample: an empty plot, not an error
        return ParityRead(
            name=name,
            property=str(card.get("property", "")),
            unit=str(card.get("unit", "")),
            points=points,
        )

    def num(v: str | None) -> float | None:
        try:
            x = float(v) if v not in (None, "") else None
        except ValueError:
            return None
        return x if x is not None and math.isfinite(x) else None

    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            t, p = num(row.get("true")), num(row.get("pred"))
            if t is None or p is None:
                continue
            points.append(
                ParityPoint(
                    formula=row.get("formula", ""),
                    true=t,
                    pred=p,
                    std=num(row.get("std")),
                    low95=num(row.get("low95")),
                    high95=num(row.get("high95")),
                )
            )
            if len(points) >= max_points:
                break
    return ParityRead(
        name=name,
        property=str(card.get("property", "")),
        unit=str(card.get("unit", "")),
        points=points,
    )
