"""The model registry: every shipped model and its card (data, metrics, calibration).

Cards are JSON files written by the training/build scripts next to the artifacts;
this module only discovers and reads them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matdiscover.science.reference_data import data_dir


def _read(path: Path) -> dict[str, Any] | None:
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return card if isinstance(card, dict) else None


def list_model_cards(root: Path | str | None = None) -> list[dict[str, Any]]:
    """All model cards, composition models first, then the structure models (``chgnet``,
    ``7net-0``, ``7net-l3i5`` under ``models/structure/``), each with at least ``name``,
    ``version``, ``property``, ``method`` and ``unit`` keys."""
    base = data_dir(Path(root) if root is not None else None)
    cards: list[dict[str, Any]] = []
    comp_dir = base / "models" / "composition"
    if comp_dir.is_dir():
        for path in sorted(comp_dir.glob("*/card.json")):
            card = _read(path)
            if card is not None:
                card.setdefault("method", "composition")
                cards.append(card)
    struct_dir = base / "models" / "structure"
    if struct_dir.is_dir():
        for path in sorted(struct_dir.glob("*/card.json")):
            card = _read(path)
            if card is not None:
                card.setdefault("method", "structure")
                cards.append(card)
    for path in sorted((base / "chgnet_references").glob("*card*.json")):
        card = _read(path)
        if card is not None:
            card.setdefault("method", "structure")
            cards.append(card)
    return cards


def get_model_card(name: str, root: Path | str | None = None) -> dict[str, Any] | None:
    """The card of the model called ``name`` (``None`` if unknown)."""
    return next((c for c in list_model_cards(root) if c.get("name") == name), None)
