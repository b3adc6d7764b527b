"""Reference-entry formula parsing: the fast path must equal pymatgen exactly."""

from __future__ import annotations

import itertools

import pytest

from matdiscover.science.embeddings import anonymous_formula
from matdiscover.science.reference_data import load_table
from matdiscover.science.reference_entries import (
    REFERENCE_TABLES,
    _parse_plain,
    _parse_with_pymatgen,
    parse_reference_formula,
)

EDGE_CASES = [
    "Fe1P2O6",  # polyanion: Fe(PO3)2
    "Li4Fe4P4O16",  # no polyanion factor: LiFePO4
    "Li1O1",  # special formula (peroxide): Li2O2
    "K2O2",
    "O4",  # special formula: O2
    "H2",
    "Cl1",
    "He1Ne2",  # no electronegativity (NaN) for noble gases
    "Ar1Fe2O3",
    "Kr1F2",
    "C6H12O6",
    "Ca1C1O3",  # polyanion with factor 1: CaCO3
    "Na2S2O3",
    "Ba1Ti1O3",
    "Fe2O3Fe1",  # repeated element
    "U1",
    "Pu2O3",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_fast_path_equals_pymatgen_on_edge_cases(text: str) -> None:
    fast = _parse_plain(text)
    assert fast is not None
    assert fast == _parse_with_pymatgen(text)
    assert fast.anonymous_formula == anonymous_formula(fast.reduced_formula)


@pytest.mark.parametrize("text", ["Fe0O1", "D2O1", "T2O1", "Xx2", "Fe(PO3)2", "Li0.5CoO2", "fe2o3"])
def test_other_formulas_are_left_to_pymatgen(text: str) -> None:
    assert _parse_plain(text) is None
    assert parse_reference_formula(text) == _parse_with_pymatgen(text)


def test_fast_path_equals_pymatgen_on_a_sample_of_every_table() -> None:
    seen: set[str] = set()
    for spec in REFERENCE_TABLES:
        formulas = dict.fromkeys(map(str, load_table(spec.table)["formula"]))
        seen.update(itertools.islice(formulas, 0, None, 97))
    assert len(seen) > 4000
    fast = 0
    for text in sorted(seen):
        got = _parse_plain(text)
        if got is not None:
            fast += 1
            assert got == _parse_with_pymatgen(text), text
            assert got.anonymous_formula == anonymous_formula(got.reduced_formula), text
    assert fast > 0.9 * len(seen)
