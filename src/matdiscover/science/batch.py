"""Vectorised batch prediction over tables of formulas or lists of structure files.

Pure functions: a chunk of input rows in, a frame of results out, one row per
input row (same order), with an ``error`` column instead of exceptions for bad
rows. The platform splits jobs into chunks and calls these in workers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pymatgen.core import Structure

from matdiscover.errors import InvalidInput
from matdiscover.science.io import ParseLimits, read_structures
from matdiscover.science.models.types import PropertyPrediction
from matdiscover.science.predict import STRUCTURE_PROPERTIES, check_properties

if TYPE_CHECKING:
    from matdiscover.science.models.composition import CompositionModel

RESULT_SUFFIXES = ("", "_std", "_low95", "_high95", "_in_domain", "_warnings")
#: Provenance columns per property: the model name and version that made each value.
MODEL_SUFFIXES = ("_model", "_model_version")


def result_columns(properties: Sequence[str]) -> list[str]:
    return [f"{p}{s}" for p in properties for s in RESULT_SUFFIXES]


def model_columns(properties: Sequence[str]) -> list[str]:
    return [f"{p}{s}" for p in properties for s in MODEL_SUFFIXES]


def _empty_results(n: int, properties: Sequence[str]) -> dict[str, list[object]]:
    cols: dict[str, list[object]] = {}
    for p in properties:
        cols[p] = [np.nan] * n
        cols[f"{p}_std"] = [np.nan] * n
        cols[f"{p}_low95"] = [np.nan] * n
        cols[f"{p}_high95"] = [np.nan] * n
        cols[f"{p}_in_domain"] = [None] * n
        cols[f"{p}_warnings"] = [""] * n
        cols[f"{p}_model"] = [""] * n
        cols[f"{p}_model_version"] = [""] * n
    return cols


def predict_formula_table(
    formulas: Sequence[str],
    *,
    properties: Sequence[str] | None = None,
    models: Mapping[str, CompositionModel] | None = None,
) -> pd.DataFrame:
    """Predictions for every formula; invalid formulas get ``error`` and NaN values.

    ``models`` replaces the shipped composition model of a property (an organisation's
    active version). Returns columns ``formula`` (reduced, when valid), ``method``,
    ``error`` and, per property ``p``: ``p``, ``p_std``, ``p_low95``, ``p_high95`` (units
    of the property), ``p_in_domain``, ``p_warnings``, ``p_model``, ``p_model_version``.
    """
    from matdiscover.science.models.composition import predict_compositions

    props = check_properties(properties)
    cleaned = [str(f).strip() for f in formulas]
    frame = predict_compositions(cleaned, properties=props, models=models)
    errors = frame["error"].tolist()
    for i, f in enumerate(cleaned):
        if not f:
            errors[i] = "empty formula"
    out = pd.DataFrame({"method": "composition", "error": errors})
    for col in result_columns(props):
        out[col] = frame[col].to_numpy()
    for p, (name, version) in frame.attrs["models"].items():
        out[f"{p}_model"], out[f"{p}_model_version"] = name, version
    bad = out["error"].notna()
    for col in [*result_columns(props), *model_columns(props)]:
        if col.endswith("_in_domain"):
            out[col] = out[col].astype(object)
            out.loc[bad, col] = None
        elif col.endswith(("_warnings", *MODEL_SUFFIXES)):
            out.loc[bad, col] = ""
        else:
            out.loc[bad, col] = np.nan
    return out


def predict_structure_files(
    files: Sequence[tuple[str, bytes]],
    *,
    properties: Sequence[str] | None = None,
    limits: ParseLimits | None = None,
    symprec: float = 0.1,
    models: Mapping[str, CompositionModel] | None = None,
) -> pd.DataFrame:
    """Predictions for structure files (the first structure of each file).

    Formation energy and energy above hull come from the batched CHGNet path, the
    other properties from the composition ensembles (``models`` replaces the shipped
    one of a property). ``p_model`` and ``p_model_version`` say which model made each
    value. Unreadable files get ``error``.
    """
    from matdiscover.science.models.chgnet_path import predict_structure_properties
    from matdiscover.science.models.composition import predict_compositions

    props = check_properties(properties)
    lim = limits or ParseLimits()
    n = len(files)
    errors: list[str | None] = [None] * n
    formulas: list[str] = [""] * n
    structures: dict[int, Structure] = {}
    notes: list[list[str]] = [[] for _ in range(n)]
    for i, (name, data) in enumerate(files):
        try:
            result = read_structures(data, name, symprec=symprec, limits=lim)
        except InvalidInput as exc:
            errors[i] = exc.message
            continue
        first = result.structures[0]
        if len(result.structures) > 1:
            notes[i].append(f"file holds {len(result.structures)} structures; the first was used")
        structures[i] = first.structure
        formulas[i] = first.structure.composition.reduced_formula
    cols = _empty_results(n, props)
    valid = sorted(structures)
    struct_props = [p for p in props if p in STRUCTURE_PROPERTIES]
    by_row: dict[int, dict[str, PropertyPrediction]] = {i: {} for i in valid}
    ordered = [i for i in valid if structures[i].is_ordered]
    if struct_props and ordered:
        try:
            results = predict_structure_properties([structures[i] for i in ordered])
            for i, preds in zip(ordered, results, strict=True):
                by_row[i].update({p.property: p for p in preds if p.property in struct_props})
        except InvalidInput:
            for i in ordered:  # one bad structure: fall back to one at a time
                try:
                    preds = predict_structure_properties([structures[i]])[0]
                    by_row[i].update({p.property: p for p in preds if p.property in struct_props})
                except InvalidInput as exc:
                    notes[i].append(f"structure path unavailable: {exc.message}")
    for i in valid:
        if not structures[i].is_ordered and struct_props:
            notes[i].append("disordered structure: composition models used for all properties")
    if valid:
        comp = predict_compositions(
            [structures[i].composition.formula.replace(" ", "") for i in valid],
            properties=props,
            models=models,
        )
        used = comp.attrs["models"]
        for k, i in enumerate(valid):
            for p in props:
                if p in by_row[i]:
                    pred = by_row[i][p]
                    vals: tuple[object, ...] = (
                        pred.value,
                        pred.std,
                        pred.interval_95[0],
                        pred.interval_95[1],
                        pred.in_domain,
                        "; ".join(pred.warnings),
                        pred.model,
                        pred.model_version,
                    )
                else:
                    vals = (*(comp[f"{p}{s}"].iloc[k] for s in RESULT_SUFFIXES), *used[p])
                for s, v in zip((*RESULT_SUFFIXES, *MODEL_SUFFIXES), vals, strict=True):
                    cols[f"{p}{s}"][i] = v
    method = ["structure" if i in structures else "" for i in range(n)]
    out = pd.DataFrame({"formula": formulas, "method": method, "error": errors})
    out["notes"] = ["; ".join(x) for x in notes]
    for col, values in cols.items():
        out[col] = values
    return out
