"""Composition embeddings and anonymous formulas (pure, no database)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from pymatgen.core import Composition

from matdiscover.errors import InvalidComposition
from matdiscover.science.embeddings import (
    COMPOSITION_EMBEDDING_DIM,
    anonymous_formula,
    anonymous_pattern,
    composition_embeddings,
    parse_amounts,
)
from matdiscover.science.reference_data import load_table


def test_anonymous_formula_equals_pymatgen_on_reference_sample() -> None:
    formulas = list(itertools.islice(load_table("mp_e_form")["formula"], 0, 20000, 20))
    formulas += ["Ho4(CoB2)3", "Li0.5CoO2", "Fe4 O6", "SrTiO3"]
    for f in formulas:
        assert anonymous_formula(f) == Composition(f).anonymized_formula, f


@pytest.mark.parametrize(
    ("pattern", "expected"), [("ABO3", "ABC3"), ("AB2O4", "AB2C4"), ("AB", "AB"), ("A2B4", "AB2")]
)
def test_anonymous_pattern(pattern: str, expected: str) -> None:
    assert anonymous_pattern(pattern) == expected


@pytest.mark.parametrize("bad", ["", "abc", "A-B", "12"])
def test_bad_patterns_raise(bad: str) -> None:
    with pytest.raises(InvalidComposition):
        anonymous_pattern(bad)


def test_parse_amounts_plain_and_parenthesised() -> None:
    assert parse_amounts("Fe4 O6") == {"Fe": 4.0, "O": 6.0}
    assert parse_amounts("Ca(OH)2") == {"Ca": 1.0, "O": 2.0, "H": 2.0}
    with pytest.raises(InvalidComposition):
        parse_amounts("not a formula!")


def test_embeddings_are_unit_vectors_and_deterministic() -> None:
    x = composition_embeddings(["NaCl", "Fe2O3", "Ho4(CoB2)3"])
    assert x.shape == (3, COMPOSITION_EMBEDDING_DIM) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(x, composition_embeddings(["NaCl", "Fe2O3", "Ho4(CoB2)3"]))
    # scaling a formula does not change its embedding
    assert np.allclose(composition_embeddings(["Fe4O6"])[0], x[1], atol=1e-6)


def _nearest(query: str, pool: list[str]) -> list[str]:
    x = composition_embeddings([query, *pool])
    order = np.argsort(-(x[1:] @ x[0]))
    return [pool[i] for i in order]


def test_chemical_analogues_are_nearest() -> None:
    pool = ["NaBr", "LiCl", "CsCl", "Na6MgCl8", "Na5BrCl4", "Fe2O3", "SrTiO3"]
    assert set(_nearest("NaCl", pool)[:3]) <= {"NaBr", "LiCl", "CsCl"}
    pool = ["BaTiO3", "CaZrO3", "Sr5Ti5O13", "Sr3Ti2O7", "NaCl", "TiO2"]
    ranked = _nearest("SrTiO3", pool)
    assert ranked[0] == "BaTiO3"
    assert ranked.index("CaZrO3") < min(ranked.index("NaCl"), ranked.index("TiO2"))


def test_mean_representation_is_available() -> None:
    x = composition_embeddings(["NaCl", "KCl"], representation="mean", table="magpie")
    assert x.shape[0] == 2 and np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
