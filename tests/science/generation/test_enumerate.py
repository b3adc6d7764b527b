"""Charge-balanced composition enumeration, cross-checked by an independent brute force."""

from __future__ import annotations

import itertools
import math

import pytest
from pymatgen.core import Composition, Element

from matdiscover.errors import InvalidInput
from matdiscover.science.generation import (
    MAX_SEARCH_SPACE,
    GenerationInputError,
    enumerate_compositions,
)


def _balanced_by_hand(li: int, mn: int, o: int) -> bool:
    """Li+ and O2- fixed; each Mn atom takes one of its ICSD states (2, 3, 4, 7)."""
    need = 2 * o - li
    states = Element("Mn").icsd_oxidation_states
    return any(sum(x) == need for x in itertools.combinations_with_replacement(states, mn))


def test_limno_contains_the_known_compounds_and_no_unbalanced_formula() -> None:
    pool = enumerate_compositions(["Li", "Mn", "O"], max_atoms=10, max_coefficient=8)
    formulas = [c.formula for c in pool]
    assert {"LiMnO2", "LiMn2O4", "Li2MnO3"} <= set(formulas)
    for unbalanced in ("LiMnO", "Li2MnO", "LiMnO3", "Li3MnO2"):
        assert unbalanced not in formulas
    assert len(formulas) == len(set(formulas))
    for c in pool:
        charge = sum(n * c.oxidation_states[el] for el, n in c.amounts.items())
        assert charge == pytest.approx(0.0, abs=1e-9), c.formula
        assert sum(c.amounts.values()) <= 10 and max(c.amounts.values()) <= 8
        assert math.gcd(*c.amounts.values()) == 1
    spinel = next(c for c in pool if c.formula == "LiMn2O4")
    assert spinel.oxidation_states == {"Li": 1.0, "Mn": 3.5, "O": -2.0}  # mixed valence
    assert spinel.anonymous_formula == "AB2C4"


def test_limno_equals_an_independent_brute_force() -> None:
    got = {c.formula for c in enumerate_compositions(["Li", "Mn", "O"], max_atoms=10)}
    expected = {
        Composition({"Li": a, "Mn": b, "O": c}).reduced_formula
        for a, b, c in itertools.product(range(1, 9), repeat=3)
        if a + b + c <= 10 and math.gcd(a, b, c) == 1 and _balanced_by_hand(a, b, c)
    }
    assert got == expected
    assert len(got) == 23


def test_order_is_deterministic_fewest_atoms_first() -> None:
    a = enumerate_compositions(["O", "Mn", "Li"], max_atoms=8)
    b = enumerate_compositions(["O", "Mn", "Li"], max_atoms=8)
    assert [c.formula for c in a] == [c.formula for c in b]
    sizes = [c.n_atoms for c in a]
    assert sizes == sorted(sizes)
    assert [c.formula for c in enumerate_compositions(["Mg", "O"], max_atoms=6)] == ["MgO"]


@pytest.mark.parametrize(
    ("elements", "kwargs", "message"),
    [
        (["Li", "Xx", "O"], {}, "unknown element 'Xx'"),
        (["Li"], {}, "at least 2 distinct elements"),
        (["Li", "Li"], {}, "at least 2 distinct elements"),
        (["Li", "Mn", "O"], {"max_atoms": 2}, "max_atoms must be between"),
        (["Li", "Mn", "O"], {"max_atoms": 100}, "max_atoms must be between"),
        (["Li", "Mn", "O"], {"max_coefficient": 0}, "max_coefficient must be between"),
        (
            ["Li", "Na", "K", "Mn", "Fe", "O"],
            {"max_atoms": 30, "max_coefficient": 20},
            f"more than the cap of {MAX_SEARCH_SPACE:,}",
        ),
        (["H", "He", "Li", "Be", "B", "C", "N"], {}, "at most 6 elements"),
    ],
)
def test_bad_input_raises_invalid_input(
    elements: list[str], kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(GenerationInputError, match=message) as info:
        enumerate_compositions(elements, **kwargs)
    assert isinstance(info.value, InvalidInput)
