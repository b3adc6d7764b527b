"""Composition features: a fast formula parser and vectorised Magpie-style statistics."""

from __future__ import annotations

from matdiscover.science.featurize.composition import (
    CompositionFeatures,
    element_data,
    feature_names,
    featurize_composition,
    featurize_compositions,
)
from matdiscover.science.featurize.formula import ELEMENTS, parse_formula, reduced_formula_key

__all__ = [
    "ELEMENTS",
    "CompositionFeatures",
    "element_data",
    "feature_names",
    "featurize_composition",
    "featurize_compositions",
    "parse_formula",
    "reduced_formula_key",
]
