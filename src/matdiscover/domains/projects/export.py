"""A project's table as CSV.

Columns: ``item_id, kind, material_id, formula, status, tags``, then for every catalogue
property ``P`` (in catalogue order, unit in brackets): ``P_predicted [unit]``,
``P_sigma [unit]``, ``P_model`` (name and version), ``P_recalibrated [unit]``,
``P_recalibrated_sigma [unit]``, ``P_measured [unit]`` (the newest live measurement),
``P_measured_uncertainty [unit]``, ``P_n_measurements``, ``P_reference [unit]`` (the
known compound's headline value); last ``notes`` (the item's notes, newest first,
joined by `` | ``). Numbers are written at full precision (shortest round-trip form).

The Excel-friendly variant starts with a UTF-8 BOM. In both, every text cell starting
with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'`` so that a
spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from matdiscover.domains.projects.schemas import ItemRead
from matdiscover.science.measurements import neutralise_cell
from matdiscover.science.properties import CATALOGUE, PropertyName


def header() -> list[str]:
    columns = ["item_id", "kind", "material_id", "formula", "status", "tags"]
    for prop in PropertyName:
        unit = CATALOGUE[prop].unit
        p = prop.value
        columns += [
            f"{p}_predicted [{unit}]",
            f"{p}_sigma [{unit}]",
            f"{p}_model",
            f"{p}_recalibrated [{unit}]",
            f"{p}_recalibrated_sigma [{unit}]",
            f"{p}_measured [{unit}]",
            f"{p}_measured_uncertainty [{unit}]",
            f"{p}_n_measurements",
            f"{p}_reference [{unit}]",
        ]
    return [*columns, "notes"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return neutralise_cell(str(value))


def _row(item: ItemRead) -> list[str]:
    cells: list[Any] = [
        item.id,
        item.kind,
        item.material_id,
        item.reduced_formula,
        item.status.value,
        ";".join(item.tags),
    ]
    for prop in PropertyName:
        pred = item.predicted.get(prop.value)
        recal = pred.recalibrated if pred else None
        measured = item.measured.get(prop.value) or []
        cells += [
            pred.value if pred else None,
            pred.std if pred else None,
            f"{pred.model_name} {pred.model_version}" if pred else None,
            recal.value if recal else None,
            recal.std if recal else None,
            measured[0].value if measured else None,
            measured[0].uncertainty if measured else None,
            len(measured),
            item.reference.get(prop.value),
        ]
    cells.append(" | ".join(n.text for n in item.notes) or None)
    return [_cell(c) for c in cells]


def to_csv(items: list[ItemRead], *, excel: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header())
    for item in items:
        writer.writerow(_row(item))
    text = buffer.getvalue()
    return ("\ufeff" + text).encode("utf-8") if excel else text.encode("utf-8")
