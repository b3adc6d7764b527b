"""The vectorised features against a slow, obviously-correct per-formula implementation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pymatgen.core import Composition

from matdiscover.errors import InvalidComposition
from matdiscover.science.featurize import (
    feature_names,
    featurize_composition,
    featurize_compositions,
)
from matdiscover.science.reference_data import load_element_table

FORMULAS = ["NaCl", "Fe2O3", "Sr3CaTiMn3O12", "Cu", "Fe0.620C0.000953Ni0.192Mo0.0176", "H2O"]


def slow_features(formula: str) -> dict[str, float]:
    table = load_element_table("magpie").set_index("element")
    comp = Composition(formula).fractional_composition.get_el_amt_dict()
    els, fr = list(comp), [comp[e] for e in comp]
    out: dict[str, float] = {}
    for prop in table.columns:
        vals = [float(table.loc[e, prop]) for e in els]
        mean = sum(f * v for f, v in zip(fr, vals, strict=True))
        top = max(fr)
        out[f"magpie_mean_{prop}"] = mean
        out[f"magpie_avg_dev_{prop}"] = sum(
            f * abs(v - mean) for f, v in zip(fr, vals, strict=True)
        )
        out[f"magpie_minimum_{prop}"] = min(vals)
        out[f"magpie_maximum_{prop}"] = max(vals)
        out[f"magpie_range_{prop}"] = max(vals) - min(vals)
        out[f"magpie_mode_{prop}"] = min(
            v for f, v in zip(fr, vals, strict=True) if abs(f - top) <= 1e-8
        )
    out["stoich_0norm"] = len(els)
    for p in (2, 3, 5, 7, 10):
        out[f"stoich_{p}norm"] = sum(f**p for f in fr) ** (1 / p)
    total = out["magpie_mean_NValence"]
    for o in "spdf":
        out[f"valence_frac_{o}"] = out[f"magpie_mean_N{o}Valence"] / total
    chi = [float(table.loc[e, "Electronegativity"]) for e in els]
    ic = [[1 - math.exp(-0.25 * (a - b) ** 2) for b in chi] for a in chi]
    out["ionic_char_max"] = max(max(r) for r in ic)
    out["ionic_char_mean"] = sum(
        fr[i] * fr[j] * ic[i][j] for i in range(len(els)) for j in range(len(els))
    )
    for e, f in zip(els, fr, strict=True):
        out[f"frac_{e}"] = f
    return out


def test_names_unique_and_sized() -> None:
    names = feature_names()
    assert len(names) == len(set(names)) == 22 * 6 + 6 + 4 + 2 + 97


@pytest.mark.parametrize("formula", FORMULAS)
def test_matches_slow_reference(formula: str) -> None:
    got = dict(zip(feature_names(), featurize_composition(formula), strict=True))
    ref = slow_features(formula)
    for key, value in ref.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    untouched = [k for k in got if k.startswith("frac_") and k not in ref]
    assert all(got[k] == 0.0 for k in untouched)


def test_batch_equals_single_and_reports_bad_rows() -> None:
    batch = featurize_compositions(["NaCl", "XxO", "Fe2O3", "", "CfO2", "Fe(O"])
    assert batch.rows.tolist() == [0, 2]
    assert [r for r, _ in batch.errors] == [1, 3, 4, 5]
    assert "'Xx'" in batch.errors[0][1]
    assert "Cf" in batch.errors[2][1]
    np.testing.assert_allclose(batch.features[1], featurize_composition("Fe2O3"))
    assert batch.fractions.shape == (2, 97)
    assert np.isfinite(batch.features).all()


def test_all_bad_and_empty() -> None:
    batch = featurize_compositions(["Xx"])
    assert batch.features.shape == (0, len(feature_names()))
    assert featurize_compositions([]).features.shape[0] == 0


def test_single_raises() -> None:
    with pytest.raises(InvalidComposition, match="Xx"):
        featurize_composition("XxO2")


def test_order_and_scale_invariance() -> None:
    a = featurize_composition("Fe2O3")
    np.testing.assert_allclose(a, featurize_composition("O6Fe4"))
    np.testing.assert_allclose(a, featurize_composition("Fe0.4O0.6"))
